package io.dnstapforwarder.shipper.render;

import com.google.protobuf.ByteString;
import io.dnstapforwarder.net.IpAddresses;
import java.util.Arrays;

/**
 * A DNS message read straight from its wire format, without building an object per record or
 * name: the record types that fill nearly all DNS traffic (A, AAAA, NS, CNAME, SOA, PTR, MX, TXT,
 * SRV, OPT). Decoding the message with dnsjava and presenting its {@code Record} and {@code Name}
 * objects was the largest part of rendering an event.
 *
 * <p>{@link #read} accepts only what dnsjava 3.6 decodes without error, and presents it exactly as
 * dnsjava does (its {@code rdataToString()}, with AAAA in RFC 5952 form as {@link Rdata} writes
 * it). A message with any other record type, an OPT record outside the additional section, an
 * UPDATE, an Extended DNS Error option, or anything malformed is refused, and the caller decodes
 * it with dnsjava ({@link DnsjavaMessage}), which also keeps what a truncated message has.
 * {@code WireMessageTest} holds the two to the same output on real captures and on mutated messages.
 *
 * <p>One instance per renderer: it keeps its buffers from message to message. Not thread-safe.
 */
final class WireMessage implements DnsMessageView {

    private static final int HEADER_BYTES = 12;
    private static final int MAX_NAME_BYTES = 255;
    private static final int UPDATE = 5;

    private static final int A = 1;
    private static final int NS = 2;
    private static final int CNAME = 5;
    private static final int SOA = 6;
    private static final int PTR = 12;
    private static final int MX = 15;
    private static final int TXT = 16;
    private static final int AAAA = 28;
    private static final int SRV = 33;

    private static final int OPTION_CLIENT_SUBNET = 8;
    private static final int OPTION_COOKIE = 10;
    private static final int OPTION_TCP_KEEPALIVE = 11;
    private static final int OPTION_EXTENDED_ERROR = 15;

    private byte[] wire = new byte[4096];
    private int length;

    /** Where each section's records start in the arrays below; {@code first[4]} is the number of records. */
    private final int[] first = new int[5];
    private int[] nameAt = new int[16];
    private int[] types = new int[16];
    private int[] classes = new int[16];
    private long[] ttls = new long[16];
    private int[] rdataAt = new int[16];
    private int[] rdataLength = new int[16];

    /** The first OPT record of the additional section (index into the arrays), or -1. */
    private int opt;
    private int options;
    private int[] optionAt = new int[4];

    /**
     * Reads the message; returns false, leaving nothing to present, when it holds something this
     * does not cover or dnsjava would not decode.
     */
    boolean read(ByteString message) {
        length = message.size();
        if (wire.length < length) {
            wire = new byte[Math.max(length, wire.length * 2)];
        }
        message.copyTo(wire, 0);
        return parse();
    }

    private boolean parse() {
        if (length < HEADER_BYTES || opcode() == UPDATE) {
            return false;
        }
        opt = -1;
        options = 0;
        int records = 0;
        int position = HEADER_BYTES;
        for (int section = QUESTION; section <= ADDITIONAL; section++) {
            first[section] = records;
            for (int count = headerCount(section); count > 0; count--, records++) {
                grow(records);
                nameAt[records] = position;
                position = skipName(position, length);
                if (position < 0 || position + 4 > length) {
                    return false;
                }
                types[records] = u16(position);
                classes[records] = u16(position + 2);
                position += 4;
                if (section == QUESTION) {
                    continue;
                }
                if (position + 6 > length) {
                    return false;
                }
                ttls[records] = u32(position);
                int dataLength = u16(position + 4);
                position += 6;
                if (position + dataLength > length || !checkData(records, section, position, position + dataLength)) {
                    return false;
                }
                rdataAt[records] = position;
                rdataLength[records] = dataLength;
                position += dataLength;
            }
        }
        first[4] = records;
        return true; // bytes after the last record are ignored, as dnsjava does
    }

    /** Whether the data of a record, {@code [from, end)}, is of a covered type and exactly fills its length. */
    private boolean checkData(int record, int section, int from, int end) {
        return switch (types[record]) {
            case A -> end - from == 4;
            case AAAA -> end - from == 16;
            case NS, CNAME, PTR -> skipName(from, end) == end;
            case MX -> end - from >= 2 && skipName(from + 2, end) == end;
            case SRV -> end - from >= 6 && skipName(from + 6, end) == end;
            case SOA -> {
                int admin = skipName(from, end);
                int numbers = admin < 0 ? -1 : skipName(admin, end);
                yield numbers >= 0 && numbers + 20 == end;
            }
            case TXT -> checkStrings(from, end);
            case OPT -> section == ADDITIONAL && checkOptions(record, from, end);
            default -> false;
        };
    }

    /** TXT data: character strings, each a length byte and that many bytes, up to the end. */
    private boolean checkStrings(int from, int end) {
        int position = from;
        while (position < end) {
            position += 1 + (wire[position] & 0xFF);
        }
        return position == end;
    }

    /** OPT data: options (code, length, data) up to the end; the first OPT's are kept for presenting. */
    private boolean checkOptions(int record, int from, int end) {
        boolean keep = opt < 0;
        if (keep) {
            opt = record;
        }
        int position = from;
        while (position < end) {
            if (position + 4 > end) {
                return false;
            }
            int dataLength = u16(position + 2);
            if (position + 4 + dataLength > end || !checkOption(u16(position), position + 4, dataLength)) {
                return false;
            }
            if (keep) {
                if (options == optionAt.length) {
                    optionAt = Arrays.copyOf(optionAt, options * 2);
                }
                optionAt[options++] = position;
            }
            position += 4 + dataLength;
        }
        return true;
    }

    /** The options dnsjava checks when it decodes them, checked the same way. */
    private boolean checkOption(int code, int from, int dataLength) {
        return switch (code) {
            case OPTION_COOKIE -> dataLength == 8 || dataLength >= 16 && dataLength <= 40;
            case OPTION_TCP_KEEPALIVE -> dataLength == 0 || dataLength == 2;
            case OPTION_CLIENT_SUBNET -> checkClientSubnet(from, dataLength);
            // dnsjava presents its text decoded and encoded again as UTF-8: left to dnsjava.
            case OPTION_EXTENDED_ERROR -> false;
            default -> true;
        };
    }

    /**
     * RFC 7871: family, source and scope prefix lengths, then the address cut to the source prefix,
     * with no bits set past it. An IPv4-mapped IPv6 address is left to dnsjava: it makes an IPv4
     * address of it, and fails when the prefix is longer than 32 bits.
     */
    private boolean checkClientSubnet(int from, int dataLength) {
        if (dataLength < 4) {
            return false;
        }
        int family = u16(from);
        int addressBytes = family == 1 ? 4 : family == 2 ? 16 : -1;
        int source = wire[from + 2] & 0xFF;
        int scope = wire[from + 3] & 0xFF;
        if (addressBytes < 0 || source > addressBytes * 8 || scope > addressBytes * 8
                || dataLength - 4 != (source + 7) / 8) {
            return false;
        }
        if (source % 8 != 0 && (wire[from + 4 + source / 8] & (0xFF >> source % 8)) != 0) {
            return false; // bits set past the prefix
        }
        return family == 1 || !isIpv4Mapped(clientSubnetAddress(from + 4, dataLength - 4, 16));
    }

    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
    }

    private byte[] clientSubnetAddress(int from, int given, int size) {
        byte[] address = new byte[size];
        System.arraycopy(wire, from, address, 0, given);
        return address;
    }

    /**
     * Checks a name as dnsjava's {@code Name(DNSInput)} reads it: labels up to a zero byte within
     * {@code limit}, compression pointers only to earlier bytes (then reading on to the end of the
     * message), no other label types, at most 255 bytes in all. Returns where the name ends in the
     * record, or -1.
     */
    private int skipName(int from, int limit) {
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

    private void grow(int records) {
        if (records == nameAt.length) {
            int size = records * 2;
            nameAt = Arrays.copyOf(nameAt, size);
            types = Arrays.copyOf(types, size);
            classes = Arrays.copyOf(classes, size);
            ttls = Arrays.copyOf(ttls, size);
            rdataAt = Arrays.copyOf(rdataAt, size);
            rdataLength = Arrays.copyOf(rdataLength, size);
        }
    }

    private int u16(int at) {
        return (wire[at] & 0xFF) << 8 | wire[at + 1] & 0xFF;
    }

    private long u32(int at) {
        return (long) u16(at) << 16 | u16(at + 2);
    }

    @Override
    public int id() {
        return u16(0);
    }

    @Override
    public int opcode() {
        return u16(2) >> 11 & 0xF;
    }

    @Override
    public boolean flag(int bit) {
        return (u16(2) & 1 << 15 - bit) != 0;
    }

    @Override
    public int headerCount(int section) {
        return u16(4 + 2 * section);
    }

    @Override
    public int rcode() {
        int rcode = u16(2) & 0xF;
        return opt < 0 ? rcode : rcode + ((int) (ttls[opt] >>> 24) << 4);
    }

    @Override
    public int records(int section) {
        return first[section + 1] - first[section];
    }

    @Override
    public int type(int section, int index) {
        return types[first[section] + index];
    }

    @Override
    public int dclass(int section, int index) {
        return classes[first[section] + index];
    }

    @Override
    public long ttl(int section, int index) {
        return ttls[first[section] + index];
    }

    @Override
    public int writeName(int section, int index, char[] out) {
        return DnsNames.write(wire, nameAt[first[section] + index], out, 0);
    }

    @Override
    public int writeRdata(int section, int index, char[] out) {
        int record = first[section] + index;
        int from = rdataAt[record];
        return switch (types[record]) {
            case A -> IpAddresses.writeIpv4(wire[from], wire[from + 1], wire[from + 2], wire[from + 3], out);
            case NS, CNAME, PTR -> DnsNames.writeAbsolute(wire, from, out, 0);
            case MX -> {
                int at = Decimal.write(u16(from), out, 0);
                out[at++] = ' ';
                yield DnsNames.writeAbsolute(wire, from + 2, out, at);
            }
            case SRV -> {
                int at = Decimal.write(u16(from), out, 0);
                out[at++] = ' ';
                at = Decimal.write(u16(from + 2), out, at);
                out[at++] = ' ';
                at = Decimal.write(u16(from + 4), out, at);
                out[at++] = ' ';
                yield DnsNames.writeAbsolute(wire, from + 6, out, at);
            }
            case SOA -> writeSoa(from, out);
            case TXT -> writeStrings(from, from + rdataLength[record], out);
            default -> -1; // AAAA, and OPT, which is never shown as a record
        };
    }

    @Override
    public String rdataText(int section, int index) {
        int record = first[section] + index;
        if (types[record] == AAAA) {
            return IpAddresses.format(Arrays.copyOfRange(wire, rdataAt[record], rdataAt[record] + 16));
        }
        // writeRdata wrote every other covered type; only a TXT too long for its buffer is left.
        char[] text = new char[maxStringsChars(rdataLength[record])];
        return new String(text, 0, writeStrings(rdataAt[record], rdataAt[record] + rdataLength[record], text));
    }

    /**
     * The longest text of TXT data of {@code bytes} bytes: a string of k bytes takes k + 1 bytes
     * and at most 4k + 3 characters ({@code \DDD} each, two quotes, a space), so never more than
     * four per byte; empty data is {@code ""}.
     */
    private static int maxStringsChars(int bytes) {
        return 2 + 4 * bytes;
    }

    private int writeSoa(int from, char[] out) {
        int admin = skipName(from, length);
        int numbers = skipName(admin, length);
        int at = DnsNames.writeAbsolute(wire, from, out, 0);
        out[at++] = ' ';
        at = DnsNames.writeAbsolute(wire, admin, out, at);
        for (int i = 0; i < 5; i++) {
            out[at++] = ' ';
            at = Decimal.write(u32(numbers + 4 * i), out, at);
        }
        return at;
    }

    /**
     * TXT data as dnsjava shows it: each string in quotes, {@code "} and {@code \} escaped,
     * bytes outside printable ASCII as {@code \DDD}, separated by spaces; or -1 when the text may
     * not fit in {@code out}.
     */
    private int writeStrings(int from, int end, char[] out) {
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

    @Override
    public boolean hasEdns() {
        return opt >= 0;
    }

    @Override
    public int ednsVersion() {
        return (int) (ttls[opt] >>> 16 & 0xFF);
    }

    @Override
    public int udpPayloadSize() {
        return classes[opt];
    }

    @Override
    public boolean dnssecOk() {
        return (ttls[opt] & 0x8000) != 0;
    }

    @Override
    public int ednsOptions() {
        return options;
    }

    @Override
    public int optionCode(int option) {
        return u16(optionAt[option]);
    }

    @Override
    public byte[] optionData(int option) {
        int at = optionAt[option];
        return Arrays.copyOfRange(wire, at + 4, at + 4 + u16(at + 2));
    }

    @Override
    public String clientSubnet() {
        String subnet = null;
        for (int i = 0; i < options; i++) {
            int at = optionAt[i];
            if (u16(at) == OPTION_CLIENT_SUBNET) {
                int family = u16(at + 4);
                int source = wire[at + 6] & 0xFF;
                byte[] address = clientSubnetAddress(at + 8, u16(at + 2) - 4, family == 1 ? 4 : 16);
                subnet = IpAddresses.format(address) + "/" + source;
            }
        }
        return subnet;
    }
}
