package io.dnstapforwarder.shipper.render.dns;

/** Walking names in a DNS message's wire format, with dnsjava's rules for what is valid. */
final class WireNames {

    private static final int MAX_NAME_BYTES = 255;

    private WireNames() {
    }

    /**
     * Checks a name as dnsjava's {@code Name(DNSInput)} reads it: labels up to a zero byte within
     * {@code limit}, compression pointers only to earlier bytes (then reading on to the end of the
     * message, {@code length}), no other label types, at most 255 bytes in all. Returns where the
     * name ends in the record, or -1.
     */
    static int skip(byte[] wire, int length, int from, int limit) {
        int position = from;
        int readable = limit; // the record's data, until a pointer leads back into the message
        int end = -1;
        int bytes = 0;
        while (true) {
            if (position >= readable) {
                return -1;
            }
            int label = wire[position] & 0xFF;
            if (label == 0) {
                return bytes + 1 > MAX_NAME_BYTES ? -1 : end >= 0 ? end : position + 1;
            }
            if (label < 0x40) {
                bytes += 1 + label;
                position += 1 + label;
                if (position > readable || bytes + 1 > MAX_NAME_BYTES) {
                    return -1;
                }
            } else if (label >= 0xC0) {
                if (position + 2 > readable) {
                    return -1;
                }
                int target = (label & 0x3F) << 8 | wire[position + 1] & 0xFF;
                if (target >= position) {
                    return -1;
                }
                if (end < 0) {
                    end = position + 2;
                }
                position = target;
                readable = length;
            } else {
                return -1;
            }
        }
    }
}
