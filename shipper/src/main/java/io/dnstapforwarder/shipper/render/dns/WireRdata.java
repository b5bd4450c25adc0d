package io.dnstapforwarder.shipper.render.dns;

import static io.dnstapforwarder.shipper.render.dns.WireBytes.u16;
import static io.dnstapforwarder.shipper.render.dns.WireBytes.u32;

import io.dnstapforwarder.net.IpAddresses;
import java.util.Arrays;

/**
 * Record data of the types {@link WireMessage} covers, checked and presented straight from the
 * wire, with the same text as dnsjava's {@code rdataToString()} (AAAA in RFC 5952 form, as
 * {@link Rdata} writes it).
 */
final class WireRdata {

    static final int A = 1;
    static final int NS = 2;
    static final int CNAME = 5;
    static final int SOA = 6;
    static final int PTR = 12;
    static final int MX = 15;
    static final int TXT = 16;
    static final int AAAA = 28;
    static final int SRV = 33;

    private WireRdata() {
    }

    /**
     * Whether data {@code [from, end)} of a record of {@code type} is of a covered type (OPT aside,
     * which {@link WireEdns} checks) and exactly fills its length.
     */
    static boolean check(byte[] wire, int length, int type, int from, int end) {
        return switch (type) {
            case A -> end - from == 4;
            case AAAA -> end - from == 16;
            case NS, CNAME, PTR -> WireNames.skip(wire, length, from, end) == end;
            case MX -> end - from >= 2 && WireNames.skip(wire, length, from + 2, end) == end;
            case SRV -> end - from >= 6 && WireNames.skip(wire, length, from + 6, end) == end;
            case SOA -> {
                int admin = WireNames.skip(wire, length, from, end);
                int numbers = admin < 0 ? -1 : WireNames.skip(wire, length, admin, end);
                yield numbers >= 0 && numbers + 20 == end;
            }
            case TXT -> checkStrings(wire, from, end);
            default -> false;
        };
    }

    /** TXT data: character strings, each a length byte and that many bytes, up to the end. */
    private static boolean checkStrings(byte[] wire, int from, int end) {
        int position = from;
        while (position < end) {
            position += 1 + (wire[position] & 0xFF);
        }
        return position == end;
    }

    /**
     * Writes the data {@code [from, from + dataLength)} of a checked record in presentation format
     * into {@code out}, at least {@link Rdata#MAX_CHARS} long; returns its length, or -1 when only
     * {@link #text} has it (AAAA, a TXT too long for {@code out}).
     */
    static int write(byte[] wire, int length, int type, int from, int dataLength, char[] out) {
        return switch (type) {
            case A -> IpAddresses.writeIpv4(wire[from], wire[from + 1], wire[from + 2], wire[from + 3], out);
            case NS, CNAME, PTR -> DnsNames.writeAbsolute(wire, from, out, 0);
            case MX -> {
                int at = Decimal.write(u16(wire, from), out, 0);
                out[at++] = ' ';
                yield DnsNames.writeAbsolute(wire, from + 2, out, at);
            }
            case SRV -> {
                int at = Decimal.write(u16(wire, from), out, 0);
                out[at++] = ' ';
                at = Decimal.write(u16(wire, from + 2), out, at);
                out[at++] = ' ';
                at = Decimal.write(u16(wire, from + 4), out, at);
                out[at++] = ' ';
                yield DnsNames.writeAbsolute(wire, from + 6, out, at);
            }
            case SOA -> writeSoa(wire, length, from, out);
            case TXT -> writeStrings(wire, from, from + dataLength, out);
            default -> -1; // AAAA, and OPT, which is never shown as a record
        };
    }

    /** The data as text, for what {@link #write} leaves out. */
    static String text(byte[] wire, int type, int from, int dataLength) {
        if (type == AAAA) {
            return IpAddresses.format(Arrays.copyOfRange(wire, from, from + 16));
        }
        // write() wrote every other covered type; only a TXT too long for its buffer is left.
        char[] text = new char[maxStringsChars(dataLength)];
        return new String(text, 0, writeStrings(wire, from, from + dataLength, text));
    }

    /**
     * The longest text of TXT data of {@code bytes} bytes: a string of k bytes takes k + 1 bytes
     * and at most 4k + 3 characters ({@code \DDD} each, two quotes, a space), so never more than
     * four per byte; empty data is {@code ""}.
     */
    private static int maxStringsChars(int bytes) {
        return 2 + 4 * bytes;
    }

    private static int writeSoa(byte[] wire, int length, int from, char[] out) {
        int admin = WireNames.skip(wire, length, from, length);
        int numbers = WireNames.skip(wire, length, admin, length);
        int at = DnsNames.writeAbsolute(wire, from, out, 0);
        out[at++] = ' ';
        at = DnsNames.writeAbsolute(wire, admin, out, at);
        for (int i = 0; i < 5; i++) {
            out[at++] = ' ';
            at = Decimal.write(u32(wire, numbers + 4 * i), out, at);
        }
        return at;
    }

    /**
     * TXT data as dnsjava shows it: each string in quotes, {@code "} and {@code \} escaped,
     * bytes outside printable ASCII as {@code \DDD}, separated by spaces; or -1 when the text may
     * not fit in {@code out}.
     */
    private static int writeStrings(byte[] wire, int from, int end, char[] out) {
        if (maxStringsChars(end - from) > out.length) {
            return -1;
        }
        if (from == end) {
            out[0] = '"';
            out[1] = '"';
            return 2;
        }
        int at = 0;
        for (int position = from; position < end; ) {
            if (at > 0) {
                out[at++] = ' ';
            }
            out[at++] = '"';
            int stringEnd = position + 1 + (wire[position] & 0xFF);
            for (int b = position + 1; b < stringEnd; b++) {
                int c = wire[b] & 0xFF;
                if (c < 0x20 || c >= 0x7f) {
                    out[at++] = '\\';
                    out[at++] = (char) ('0' + c / 100);
                    out[at++] = (char) ('0' + c / 10 % 10);
                    out[at++] = (char) ('0' + c % 10);
                } else {
                    if (c == '"' || c == '\\') {
                        out[at++] = '\\';
                    }
                    out[at++] = (char) c;
                }
            }
            out[at++] = '"';
            position = stringEnd;
        }
        return at;
    }
}
