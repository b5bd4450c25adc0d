package io.dnstapforwarder.shipper.render.dns;

import org.xbill.DNS.Name;

/**
 * Domain names in presentation format, as dig prints them but without the trailing dot (the root
 * stays {@code .}): case as sent; bytes outside printable ASCII as {@code \DDD}; {@code .} and the
 * other special characters inside a label backslash-escaped. The same text as dnsjava's
 * {@code Name.toString(true)}, written into a caller's buffer because every event has several
 * names, and a string per label and per name made this half as fast (RenderPartsBenchmark).
 */
public final class DnsNames {

    /** Longest presentation: 255 bytes on the wire, each at most four characters ({@code \DDD}). */
    public static final int MAX_CHARS = 255 * 4;

    private DnsNames() {
    }

    public static String present(Name name) {
        char[] buffer = new char[MAX_CHARS];
        return new String(buffer, 0, write(name, buffer));
    }

    /** A wire-format name (e.g. dnstap's query_zone) in presentation format. */
    public static String present(byte[] wire) throws java.io.IOException {
        return present(new Name(wire));
    }

    /** Writes the name into {@code out}, at least {@link #MAX_CHARS} long; returns its length. */
    public static int write(Name name, char[] out) {
        return write(name, out, 0);
    }

    /** Writes the name into {@code out} from {@code at}, with {@link #MAX_CHARS} room; returns where it ends. */
    static int write(Name name, char[] out, int at) {
        if (!name.isAbsolute()) {
            String text = name.toString(true); // never from the wire; kept exact for other callers
            text.getChars(0, text.length(), out, at);
            return at + text.length();
        }
        int labels = name.labels();
        if (labels == 1) {
            out[at] = '.';
            return at + 1;
        }
        int end = at;
        // Label by label: Name.toWire() would build a Name for every suffix of the name.
        for (int i = 0; i < labels - 1; i++) {
            byte[] label = name.getLabel(i); // length, then the bytes
            if (i > 0) {
                out[end++] = '.';
            }
            for (int b = 1; b < label.length; b++) {
                end = writeByte(label[b] & 0xFF, out, end);
            }
        }
        return end;
    }

    /** As dnsjava's {@code Name.toString()}, with the final dot, as names inside record data are shown. */
    static int writeAbsolute(Name name, char[] out, int at) {
        int end = write(name, out, at);
        if (name.isAbsolute() && !(end == at + 1 && out[at] == '.')) {
            out[end++] = '.';
        }
        return end;
    }

    /**
     * Writes the name that starts at {@code offset} of a wire-format DNS message, following its
     * compression pointers, into {@code out} from {@code at}; returns where it ends. The name must
     * have been checked ({@link WireMessage} does): this trusts its labels and pointers.
     */
    static int write(byte[] message, int offset, char[] out, int at) {
        int end = at;
        int position = offset;
        for (int length = message[position] & 0xFF; length != 0; length = message[position] & 0xFF) {
            if (length >= 0xC0) {
                position = (length & 0x3F) << 8 | message[position + 1] & 0xFF;
                continue;
            }
            if (end > at) {
                out[end++] = '.';
            }
            for (int b = position + 1; b <= position + length; b++) {
                end = writeByte(message[b] & 0xFF, out, end);
            }
            position += 1 + length;
        }
        if (end == at) {
            out[end++] = '.'; // the root
        }
        return end;
    }

    /** As {@link #write(byte[], int, char[], int)}, with the final dot, as names inside record data are shown. */
    static int writeAbsolute(byte[] message, int offset, char[] out, int at) {
        int end = write(message, offset, out, at);
        if (!(end == at + 1 && out[at] == '.')) {
            out[end++] = '.';
        }
        return end;
    }

    private static int writeByte(int b, char[] out, int at) {
        if (b <= 0x20 || b >= 0x7f) {
            out[at] = '\\';
            out[at + 1] = (char) ('0' + b / 100);
            out[at + 2] = (char) ('0' + b / 10 % 10);
            out[at + 3] = (char) ('0' + b % 10);
            return at + 4;
        }
        switch (b) {
            case '"', '(', ')', '.', ';', '\\', '@', '$' -> {
                out[at] = '\\';
                out[at + 1] = (char) b;
                return at + 2;
            }
            default -> {
                out[at] = (char) b;
                return at + 1;
            }
        }
    }
}
