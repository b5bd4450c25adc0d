package io.dnstapforwarder.event;

/**
 * Protobuf's wire format read in place, every read bounds-checked: a cursor over a byte array
 * that a malformed or hostile message can only make return -1 or false, never throw.
 */
final class ProtobufWire {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private byte[] bytes;
    private int position;

    void on(byte[] bytes) {
        this.bytes = bytes;
        this.position = 0;
    }

    void at(int position) {
        this.position = position;
    }

    int position() {
        return position;
    }

    /** A varint from the position, or -1 when it runs past {@code end} or past 64 bits. */
    long varint(int end) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= end) {
                return -1;
            }
            byte b = bytes[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        return -1;
    }

    /** A length prefix that fits in what is left before {@code end}, or -1. */
    int length(int end) {
        long length = varint(end);
        if (length < 0 || length > end - position) {
            return -1;
        }
        return (int) length;
    }

    /** Skips the value of a field with {@code tag} that is not length-delimited; false when it is not well-formed. */
    boolean skip(long tag, int end) {
        switch ((int) (tag & 7)) {
            case VARINT -> {
                return varint(end) >= 0;
            }
            case FIXED64 -> {
                position += 8;
                return position <= end;
            }
            case FIXED32 -> {
                position += 4;
                return position <= end;
            }
            default -> {
                return false;
            }
        }
    }
}
