package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.net.IpAddresses;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Writes the fields of one wire-format DNS message into a HEC event, decoded with dnsjava.
 * Names follow Splunk's CIM Network Resolution model where it has one ({@code query},
 * {@code query_type}, {@code reply_code}, {@code answer}, {@code ttl}, ...). Names and addresses
 * are presented into a reusable buffer, not into strings: one instance per renderer.
 */
final class DnsMessageWriter {

    private record Flag(int bit, byte[] name) {
    }

    /** Header flags in the order dig prints them. */
    private static final List<Flag> FLAGS = List.of(new Flag(Flags.QR, JsonWriter.quoted("qr")),
            new Flag(Flags.AA, JsonWriter.quoted("aa")), new Flag(Flags.TC, JsonWriter.quoted("tc")),
            new Flag(Flags.RD, JsonWriter.quoted("rd")), new Flag(Flags.RA, JsonWriter.quoted("ra")),
            new Flag(Flags.AD, JsonWriter.quoted("ad")), new Flag(Flags.CD, JsonWriter.quoted("cd")));

    /** EDNS option names as dig prints them (IANA "DNS EDNS0 Option Codes"). */
    private static final Map<Integer, String> OPTION_NAMES = Map.ofEntries(
            Map.entry(3, "NSID"), Map.entry(5, "DAU"), Map.entry(6, "DHU"), Map.entry(7, "N3U"),
            Map.entry(8, "CLIENT-SUBNET"), Map.entry(9, "EXPIRE"), Map.entry(10, "COOKIE"),
            Map.entry(11, "TCP-KEEPALIVE"), Map.entry(12, "PADDING"), Map.entry(13, "CHAIN"), Map.entry(14, "KEY-TAG"),
            Map.entry(15, "EDE"), Map.entry(16, "CLIENT-TAG"), Map.entry(17, "SERVER-TAG"),
            Map.entry(18, "REPORT-CHANNEL"), Map.entry(19, "ZONEVERSION"));

    private static final Mnemonics TYPES = new Mnemonics(65536, Type::string);
    private static final Mnemonics CLASSES = new Mnemonics(65536, DClass::string);
    private static final Mnemonics OPCODES = new Mnemonics(16, Opcode::string);
    private static final Mnemonics RCODES = new Mnemonics(4096, Rcode::string);
    private static final Mnemonics OPTIONS = new Mnemonics(65536,
            code -> OPTION_NAMES.getOrDefault(code, "OPT" + code));
    private static final HexFormat HEX = HexFormat.of();

    private final char[] text = new char[Rdata.MAX_CHARS];

    /** Writes the fields of a decoded message of {@code size} bytes. */
    void write(Message message, int size, boolean response, JsonWriter out) {
        Header header = message.getHeader();
        out.field(HecFields.MESSAGE_SIZE);
        out.number(size);
        out.field(HecFields.TRANSACTION_ID);
        out.number(header.getID());
        out.field(HecFields.OPCODE);
        out.value(OPCODES.of(header.getOpcode()));
        out.field(HecFields.FLAGS);
        out.startArray();
        for (Flag flag : FLAGS) {
            if (header.getFlag(flag.bit())) {
                out.value(flag.name());
            }
        }
        out.endArray();
        Record question = message.getQuestion();
        if (question != null) {
            writeNameTypeClass(question, HecFields.QUERY, HecFields.QUERY_TYPE, HecFields.QUERY_CLASS, out);
        }
        out.field(HecFields.QUERY_COUNT);
        out.number(header.getCount(Section.QUESTION));
        if (response) {
            int rcode = message.getRcode();
            out.field(HecFields.REPLY_CODE);
            out.value(RCODES.of(rcode));
            out.field(HecFields.REPLY_CODE_ID);
            out.number(rcode);
        }
        List<Record> answers = message.getSection(Section.ANSWER);
        writeCimAnswers(answers, out);
        out.field(HecFields.ANSWER_COUNT);
        out.number(header.getCount(Section.ANSWER));
        out.field(HecFields.AUTHORITY_ANSWER_COUNT);
        out.number(header.getCount(Section.AUTHORITY));
        out.field(HecFields.ADDITIONAL_ANSWER_COUNT);
        out.number(header.getCount(Section.ADDITIONAL));
        writeRecords(HecFields.ANSWERS, answers, out);
        writeRecords(HecFields.AUTHORITY, message.getSection(Section.AUTHORITY), out);
        writeRecords(HecFields.ADDITIONAL, message.getSection(Section.ADDITIONAL), out);
        OPTRecord opt = message.getOPT();
        if (opt != null) {
            writeEdns(opt, out);
        }
    }

    /** CIM's flat, parallel lists: {@code answer} (rdata), {@code ttl}, {@code record_type}. */
    private void writeCimAnswers(List<Record> answers, JsonWriter out) {
        if (answers.isEmpty()) {
            return;
        }
        out.field(HecFields.ANSWER);
        out.startArray();
        for (Record record : answers) {
            writeRdata(record, out);
        }
        out.endArray();
        out.field(HecFields.TTL);
        out.startArray();
        for (Record record : answers) {
            out.number(record.getTTL());
        }
        out.endArray();
        out.field(HecFields.RECORD_TYPE);
        out.startArray();
        for (Record record : answers) {
            out.value(TYPES.of(record.getType()));
        }
        out.endArray();
    }

    /** A section as full records; the OPT pseudo-record is left out (it is {@code edns}). */
    private void writeRecords(byte[] field, List<Record> records, JsonWriter out) {
        boolean started = false;
        for (Record record : records) {
            if (record.getType() == Type.OPT) {
                continue;
            }
            if (!started) {
                out.field(field);
                out.startArray();
                started = true;
            }
            out.startObject();
            writeNameTypeClass(record, HecFields.NAME, HecFields.TYPE, HecFields.CLASS, out);
            out.field(HecFields.TTL);
            out.number(record.getTTL());
            out.field(HecFields.RDATA);
            writeRdata(record, out);
            out.endObject();
        }
        if (started) {
            out.endArray();
        }
    }

    /** The question's (query, query_type, query_class) or a record's (name, type, class). */
    private void writeNameTypeClass(Record record, byte[] nameKey, byte[] typeKey, byte[] classKey, JsonWriter out) {
        out.field(nameKey);
        out.string(text, 0, DnsNames.write(record.getName(), text));
        out.field(typeKey);
        out.value(TYPES.of(record.getType()));
        out.field(classKey);
        out.value(CLASSES.of(record.getDClass()));
    }

    private void writeRdata(Record record, JsonWriter out) {
        int length = Rdata.write(record, text);
        if (length >= 0) {
            out.string(text, 0, length);
        } else {
            out.string(Rdata.text(record));
        }
    }

    private static void writeEdns(OPTRecord opt, JsonWriter out) {
        out.field(HecFields.EDNS);
        out.startObject();
        out.field(HecFields.VERSION);
        out.number(opt.getVersion());
        out.field(HecFields.UDP_SIZE);
        out.number(opt.getPayloadSize());
        out.field(HecFields.DO);
        out.bool((opt.getFlags() & ExtendedFlags.DO) != 0);
        out.field(HecFields.OPTIONS);
        out.startArray();
        String clientSubnet = null;
        for (EDNSOption option : opt.getOptions()) {
            byte[] wire = option.toWire(); // code (2), length (2), data
            out.startObject();
            out.field(HecFields.CODE);
            out.number(option.getCode());
            out.field(HecFields.NAME);
            out.value(OPTIONS.of(option.getCode()));
            out.field(HecFields.DATA);
            out.string(HEX.formatHex(wire, 4, wire.length));
            out.endObject();
            if (option instanceof ClientSubnetOption ecs) {
                clientSubnet = IpAddresses.format(ecs.getAddress().getAddress()) + "/" + ecs.getSourcePrefixLength();
            }
        }
        out.endArray();
        out.endObject();
        if (clientSubnet != null) {
            out.field(HecFields.ECS);
            out.string(clientSubnet);
        }
    }
}
