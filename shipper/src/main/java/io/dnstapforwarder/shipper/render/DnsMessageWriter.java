package io.dnstapforwarder.shipper.render;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import io.dnstapforwarder.net.IpAddresses;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.AAAARecord;
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
 * {@code query_type}, {@code reply_code}, {@code answer}, {@code ttl}, ...).
 */
final class DnsMessageWriter {

    private record Flag(int bit, SerializableString name) {
    }

    /** Header flags in the order dig prints them. */
    private static final List<Flag> FLAGS = List.of(new Flag(Flags.QR, HecFields.name("qr")),
            new Flag(Flags.AA, HecFields.name("aa")), new Flag(Flags.TC, HecFields.name("tc")),
            new Flag(Flags.RD, HecFields.name("rd")), new Flag(Flags.RA, HecFields.name("ra")),
            new Flag(Flags.AD, HecFields.name("ad")), new Flag(Flags.CD, HecFields.name("cd")));

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

    private DnsMessageWriter() {
    }

    /** Writes the fields of a decoded message of {@code size} bytes. */
    static void write(Message message, int size, boolean response, JsonGenerator out) throws IOException {
        Header header = message.getHeader();
        out.writeFieldName(HecFields.MESSAGE_SIZE);
        out.writeNumber(size);
        out.writeFieldName(HecFields.TRANSACTION_ID);
        out.writeNumber(header.getID());
        out.writeFieldName(HecFields.OPCODE);
        out.writeString(OPCODES.of(header.getOpcode()));
        out.writeFieldName(HecFields.FLAGS);
        out.writeStartArray();
        for (Flag flag : FLAGS) {
            if (header.getFlag(flag.bit())) {
                out.writeString(flag.name());
            }
        }
        out.writeEndArray();
        Record question = message.getQuestion();
        if (question != null) {
            out.writeFieldName(HecFields.QUERY);
            out.writeString(DnsNames.present(question.getName()));
            out.writeFieldName(HecFields.QUERY_TYPE);
            out.writeString(TYPES.of(question.getType()));
            out.writeFieldName(HecFields.QUERY_CLASS);
            out.writeString(CLASSES.of(question.getDClass()));
        }
        out.writeFieldName(HecFields.QUERY_COUNT);
        out.writeNumber(header.getCount(Section.QUESTION));
        if (response) {
            int rcode = message.getRcode();
            out.writeFieldName(HecFields.REPLY_CODE);
            out.writeString(RCODES.of(rcode));
            out.writeFieldName(HecFields.REPLY_CODE_ID);
            out.writeNumber(rcode);
        }
        List<Record> answers = message.getSection(Section.ANSWER);
        writeCimAnswers(answers, out);
        out.writeFieldName(HecFields.ANSWER_COUNT);
        out.writeNumber(header.getCount(Section.ANSWER));
        out.writeFieldName(HecFields.AUTHORITY_ANSWER_COUNT);
        out.writeNumber(header.getCount(Section.AUTHORITY));
        out.writeFieldName(HecFields.ADDITIONAL_ANSWER_COUNT);
        out.writeNumber(header.getCount(Section.ADDITIONAL));
        writeRecords(HecFields.ANSWERS, answers, out);
        writeRecords(HecFields.AUTHORITY, message.getSection(Section.AUTHORITY), out);
        writeRecords(HecFields.ADDITIONAL, message.getSection(Section.ADDITIONAL), out);
        OPTRecord opt = message.getOPT();
        if (opt != null) {
            writeEdns(opt, out);
        }
    }

    /** CIM's flat, parallel lists: {@code answer} (rdata), {@code ttl}, {@code record_type}. */
    private static void writeCimAnswers(List<Record> answers, JsonGenerator out) throws IOException {
        if (answers.isEmpty()) {
            return;
        }
        out.writeFieldName(HecFields.ANSWER);
        out.writeStartArray();
        for (Record record : answers) {
            out.writeString(rdata(record));
        }
        out.writeEndArray();
        out.writeFieldName(HecFields.TTL);
        out.writeStartArray();
        for (Record record : answers) {
            out.writeNumber(record.getTTL());
        }
        out.writeEndArray();
        out.writeFieldName(HecFields.RECORD_TYPE);
        out.writeStartArray();
        for (Record record : answers) {
            out.writeString(TYPES.of(record.getType()));
        }
        out.writeEndArray();
    }

    /** A section as full records; the OPT pseudo-record is left out (it is {@code edns}). */
    private static void writeRecords(SerializableString field, List<Record> records, JsonGenerator out) throws IOException {
        boolean started = false;
        for (Record record : records) {
            if (record.getType() == Type.OPT) {
                continue;
            }
            if (!started) {
                out.writeFieldName(field);
                out.writeStartArray();
                started = true;
            }
            out.writeStartObject();
            out.writeFieldName(HecFields.NAME);
            out.writeString(DnsNames.present(record.getName()));
            out.writeFieldName(HecFields.TYPE);
            out.writeString(TYPES.of(record.getType()));
            out.writeFieldName(HecFields.CLASS);
            out.writeString(CLASSES.of(record.getDClass()));
            out.writeFieldName(HecFields.TTL);
            out.writeNumber(record.getTTL());
            out.writeFieldName(HecFields.RDATA);
            out.writeString(rdata(record));
            out.writeEndObject();
        }
        if (started) {
            out.writeEndArray();
        }
    }

    /** Record data in presentation format; AAAA in RFC 5952 form as dig prints it. */
    static String rdata(Record record) {
        if (record instanceof AAAARecord aaaa) {
            return IpAddresses.format(aaaa.getAddress().getAddress());
        }
        return record.rdataToString();
    }

    private static void writeEdns(OPTRecord opt, JsonGenerator out) throws IOException {
        out.writeFieldName(HecFields.EDNS);
        out.writeStartObject();
        out.writeFieldName(HecFields.VERSION);
        out.writeNumber(opt.getVersion());
        out.writeFieldName(HecFields.UDP_SIZE);
        out.writeNumber(opt.getPayloadSize());
        out.writeFieldName(HecFields.DO);
        out.writeBoolean((opt.getFlags() & ExtendedFlags.DO) != 0);
        out.writeFieldName(HecFields.OPTIONS);
        out.writeStartArray();
        String clientSubnet = null;
        for (EDNSOption option : opt.getOptions()) {
            byte[] wire = option.toWire(); // code (2), length (2), data
            out.writeStartObject();
            out.writeFieldName(HecFields.CODE);
            out.writeNumber(option.getCode());
            out.writeFieldName(HecFields.NAME);
            out.writeString(OPTIONS.of(option.getCode()));
            out.writeFieldName(HecFields.DATA);
            out.writeString(HEX.formatHex(wire, 4, wire.length));
            out.writeEndObject();
            if (option instanceof ClientSubnetOption ecs) {
                clientSubnet = IpAddresses.format(ecs.getAddress().getAddress()) + "/" + ecs.getSourcePrefixLength();
            }
        }
        out.writeEndArray();
        out.writeEndObject();
        if (clientSubnet != null) {
            out.writeFieldName(HecFields.ECS);
            out.writeString(clientSubnet);
        }
    }
}
