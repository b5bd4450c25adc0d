package io.dnstapforwarder.shipper.render.dns;

import static io.dnstapforwarder.shipper.render.dns.WireBytes.u16;
import static io.dnstapforwarder.shipper.render.dns.WireBytes.u32;

import com.google.protobuf.ByteString;
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
 * <p>This class reads the header and indexes the records; {@link WireRdata} checks and presents
 * record data, {@link WireEdns} the OPT record's options. One instance per renderer: it keeps its
 * buffers from message to message. Not thread-safe.
 */
public final class WireMessage implements DnsMessageView {

    private static final int HEADER_BYTES = 12;
    private static final int UPDATE = 5;

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
    private final WireEdns edns = new WireEdns();

    /**
     * Reads the message; returns false, leaving nothing to present, when it holds something this
     * does not cover or dnsjava would not decode.
     */
    public boolean read(ByteString message) {
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
        edns.reset(wire);
        int records = 0;
        int position = HEADER_BYTES;
        for (int section = QUESTION; section <= ADDITIONAL; section++) {
            first[section] = records;
            for (int count = headerCount(section); count > 0; count--, records++) {
                grow(records);
                nameAt[records] = position;
                position = WireNames.skip(wire, length, position, length);
                if (position < 0 || position + 4 > length) {
                    return false;
                }
                types[records] = u16(wire, position);
                classes[records] = u16(wire, position + 2);
                position += 4;
                if (section == QUESTION) {
                    continue;
                }
                if (position + 6 > length) {
                    return false;
                }
                ttls[records] = u32(wire, position);
                int dataLength = u16(wire, position + 4);
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

    private boolean checkData(int record, int section, int from, int end) {
        if (types[record] == OPT) {
            return section == ADDITIONAL && edns.check(record, from, end);
        }
        return WireRdata.check(wire, length, types[record], from, end);
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

    @Override
    public int id() {
        return u16(wire, 0);
    }

    @Override
    public int opcode() {
        return u16(wire, 2) >> 11 & 0xF;
    }

    @Override
    public boolean flag(int bit) {
        return (u16(wire, 2) & 1 << 15 - bit) != 0;
    }

    @Override
    public int headerCount(int section) {
        return u16(wire, 4 + 2 * section);
    }

    @Override
    public int rcode() {
        int rcode = u16(wire, 2) & 0xF;
        int opt = edns.record();
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
        return WireRdata.write(wire, length, types[record], rdataAt[record], rdataLength[record], out);
    }

    @Override
    public String rdataText(int section, int index) {
        int record = first[section] + index;
        return WireRdata.text(wire, types[record], rdataAt[record], rdataLength[record]);
    }

    @Override
    public byte[] address(int section, int index) {
        int record = first[section] + index;
        int size = types[record] == 1 ? 4 : types[record] == 28 ? 16 : -1;
        if (size < 0 || rdataLength[record] != size) {
            return null;
        }
        return Arrays.copyOfRange(wire, rdataAt[record], rdataAt[record] + size);
    }

    @Override
    public boolean hasEdns() {
        return edns.record() >= 0;
    }

    @Override
    public int ednsVersion() {
        return (int) (ttls[edns.record()] >>> 16 & 0xFF);
    }

    @Override
    public int udpPayloadSize() {
        return classes[edns.record()];
    }

    @Override
    public boolean dnssecOk() {
        return (ttls[edns.record()] & 0x8000) != 0;
    }

    @Override
    public int ednsOptions() {
        return edns.options();
    }

    @Override
    public int optionCode(int option) {
        return edns.optionCode(option);
    }

    @Override
    public byte[] optionData(int option) {
        return edns.optionData(option);
    }

    @Override
    public String clientSubnet() {
        return edns.clientSubnet();
    }
}
