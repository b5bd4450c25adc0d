package io.dnstapforwarder.shipper.render;

import com.fasterxml.jackson.core.JsonGenerator;
import io.dnstapforwarder.net.IpAddresses;
import java.io.IOException;
import java.net.InetAddress;
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

    private record Flag(int bit, String name) {
    }

    /** Header flags in the order dig prints them. */
    private static final List<Flag> FLAGS = List.of(new Flag(Flags.QR, "qr"), new Flag(Flags.AA, "aa"),
            new Flag(Flags.TC, "tc"), new Flag(Flags.RD, "rd"), new Flag(Flags.RA, "ra"), new Flag(Flags.AD, "ad"),
            new Flag(Flags.CD, "cd"));

    /** EDNS option names as dig prints them (IANA "DNS EDNS0 Option Codes"). */
    private static final Map<Integer, String> OPTION_NAMES = Map.ofEntries(
            Map.entry(3, "NSID"), Map.entry(5, "DAU"), Map.entry(6, "DHU"), Map.entry(7, "N3U"),
            Map.entry(8, "CLIENT-SUBNET"), Map.entry(9, "EXPIRE"), Map.entry(10, "COOKIE"),
            Map.entry(11, "TCP-KEEPALIVE"), Map.entry(12, "PADDING"), Map.entry(13, "CHAIN"), Map.entry(14, "KEY-TAG"),
            Map.entry(15, "EDE"), Map.entry(16, "CLIENT-TAG"), Map.entry(17, "SERVER-TAG"),
            Map.entry(18, "REPORT-CHANNEL"), Map.entry(19, "ZONEVERSION"));

    private static final HexFormat HEX = HexFormat.of();

    private DnsMessageWriter() {
    }

    /** Writes the fields of a decoded message of {@code size} bytes. */
    static void write(Message message, int size, boolean response, JsonGenerator out) throws IOException {
        Header header = message.getHeader();
        out.writeNumberField("message_size", size);
        out.writeNumberField("transaction_id", header.getID());
        out.writeStringField("opcode", Opcode.string(header.getOpcode()));
        out.writeArrayFieldStart("flags");
        for (Flag flag : FLAGS) {
            if (header.getFlag(flag.bit())) {
                out.writeString(flag.name());
            }
        }
        out.writeEndArray();
        Record question = message.getQuestion();
        if (question != null) {
            out.writeStringField("query", DnsNames.present(question.getName()));
            out.writeStringField("query_type", Type.string(question.getType()));
            out.writeStringField("query_class", DClass.string(question.getDClass()));
        }
        out.writeNumberField("query_count", header.getCount(Section.QUESTION));
        if (response) {
            int rcode = message.getRcode();
            out.writeStringField("reply_code", Rcode.string(rcode));
            out.writeNumberField("reply_code_id", rcode);
        }
        List<Record> answers = message.getSection(Section.ANSWER);
        writeCimAnswers(answers, out);
        out.writeNumberField("answer_count", header.getCount(Section.ANSWER));
        out.writeNumberField("authority_answer_count", header.getCount(Section.AUTHORITY));
        out.writeNumberField("additional_answer_count", header.getCount(Section.ADDITIONAL));
        writeRecords("answers", answers, out);
        writeRecords("authority", message.getSection(Section.AUTHORITY), out);
        writeRecords("additional", message.getSection(Section.ADDITIONAL), out);
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
        out.writeArrayFieldStart("answer");
        for (Record record : answers) {
            out.writeString(rdata(record));
        }
        out.writeEndArray();
        out.writeArrayFieldStart("ttl");
        for (Record record : answers) {
            out.writeNumber(record.getTTL());
        }
        out.writeEndArray();
        out.writeArrayFieldStart("record_type");
        for (Record record : answers) {
            out.writeString(Type.string(record.getType()));
        }
        out.writeEndArray();
    }

    /** A section as full records; the OPT pseudo-record is left out (it is {@code edns}). */
    private static void writeRecords(String field, List<Record> records, JsonGenerator out) throws IOException {
        boolean started = false;
        for (Record record : records) {
            if (record.getType() == Type.OPT) {
                continue;
            }
            if (!started) {
                out.writeArrayFieldStart(field);
                started = true;
            }
            out.writeStartObject();
            out.writeStringField("name", DnsNames.present(record.getName()));
            out.writeStringField("type", Type.string(record.getType()));
            out.writeStringField("class", DClass.string(record.getDClass()));
            out.writeNumberField("ttl", record.getTTL());
            out.writeStringField("rdata", rdata(record));
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
        out.writeObjectFieldStart("edns");
        out.writeNumberField("version", opt.getVersion());
        out.writeNumberField("udp_size", opt.getPayloadSize());
        out.writeBooleanField("do", (opt.getFlags() & ExtendedFlags.DO) != 0);
        out.writeArrayFieldStart("options");
        String clientSubnet = null;
        for (EDNSOption option : opt.getOptions()) {
            byte[] wire = option.toWire(); // code (2), length (2), data
            out.writeStartObject();
            out.writeNumberField("code", option.getCode());
            out.writeStringField("name", OPTION_NAMES.getOrDefault(option.getCode(), "OPT" + option.getCode()));
            out.writeStringField("data", HEX.formatHex(wire, 4, wire.length));
            out.writeEndObject();
            if (option instanceof ClientSubnetOption ecs) {
                clientSubnet = subnet(ecs);
            }
        }
        out.writeEndArray();
        out.writeEndObject();
        if (clientSubnet != null) {
            out.writeStringField("ecs", clientSubnet);
        }
    }

    private static String subnet(ClientSubnetOption ecs) {
        InetAddress address = ecs.getAddress();
        return IpAddresses.format(address.getAddress()) + "/" + ecs.getSourcePrefixLength();
    }
}
