package io.dnstapforwarder.net;

/**
 * Text form of IP addresses as DNS tools print them: dotted quad for IPv4, RFC 5952 for IPv6
 * (lower case, leading zeros dropped, the longest run of two or more zero groups as {@code ::}).
 * The JDK prints IPv6 uncompressed ({@code 2001:db8:0:0:0:0:0:1}), and so does dnsjava.
 */
public final class IpAddresses {

    /** Longest dotted-quad text: 255.255.255.255. */
    public static final int MAX_IPV4_CHARS = 15;

    private IpAddresses() {
    }

    /** Writes an IPv4 address as a dotted quad into {@code out}, without allocating; returns its length. */
    public static int writeIpv4(byte a, byte b, byte c, byte d, char[] out) {
        int at = writeOctet(a & 0xFF, out, 0);
        out[at++] = '.';
        at = writeOctet(b & 0xFF, out, at);
        out[at++] = '.';
        at = writeOctet(c & 0xFF, out, at);
        out[at++] = '.';
        return writeOctet(d & 0xFF, out, at);
    }

    private static int writeOctet(int value, char[] out, int at) {
        if (value >= 100) {
            out[at++] = (char) ('0' + value / 100);
        }
        if (value >= 10) {
            out[at++] = (char) ('0' + value / 10 % 10);
        }
        out[at++] = (char) ('0' + value % 10);
        return at;
    }

    /** The address, or {@code null} when {@code bytes} is neither 4 nor 16 bytes long. */
    public static String format(byte[] bytes) {
        if (bytes.length == 4) {
            return (bytes[0] & 0xFF) + "." + (bytes[1] & 0xFF) + "." + (bytes[2] & 0xFF) + "." + (bytes[3] & 0xFF);
        }
        if (bytes.length == 16) {
            return formatIpv6(bytes);
        }
        return null;
    }

    private static String formatIpv6(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xFF) << 8) | (bytes[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened; of equal runs the first wins
        int i = 0;
        while (i < 8) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int group = 0; group < 8; group++) {
            if (group == bestStart) {
                text.append("::");
                group += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[group]));
        }
        return text.toString();
    }
}
