package io.dnstapforwarder.shipper.render;

import static io.dnstapforwarder.shipper.render.dns.DnsMessageView.ADDITIONAL;
import static io.dnstapforwarder.shipper.render.dns.DnsMessageView.ANSWER;
import static io.dnstapforwarder.shipper.render.dns.DnsMessageView.AUTHORITY;
import static io.dnstapforwarder.shipper.render.dns.DnsMessageView.QUESTION;

import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.shipper.enrich.NameShape;
import io.dnstapforwarder.shipper.enrich.PublicSuffixes;
import io.dnstapforwarder.shipper.enrich.SuspiciousReason;
import io.dnstapforwarder.shipper.render.dns.Decimal;
import io.dnstapforwarder.shipper.render.dns.DnsMessageView;
import io.dnstapforwarder.shipper.render.dns.Rdata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Writes the fields of one decoded DNS message into a HEC event, from either kind of
 * {@link DnsMessageView}. Names follow Splunk's CIM Network Resolution model where it has one ({@code query},
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
    private static final byte[][] SUSPICIOUS_VALUES = Arrays.stream(SuspiciousReason.values())
            .map(reason -> JsonWriter.quoted(reason.fieldValue())).toArray(byte[][]::new);

    private final char[] text = new char[Rdata.MAX_CHARS];
    private final ClientPrivacy.Local privacy;
    private final Enrichment enrichment;
    private final QuestionNames questionNames;
    private final List<String> aliasDomains = new ArrayList<>();
    private final GeoFields answerLocations;
    private final char[] decimal = new char[24];
    private final JsonWriter nameFields = new JsonWriter(256);

    DnsMessageWriter(ClientPrivacy.Local privacy, Enrichment enrichment) {
        this.privacy = privacy;
        this.enrichment = enrichment;
        this.answerLocations = enrichment.geoip() == null ? null : new GeoFields(enrichment.geoip());
        this.questionNames = new QuestionNames(enrichment);
    }

    /** Writes the fields {@code profile} keeps of a decoded message of {@code size} bytes. */
    void write(DnsMessageView message, int size, boolean response, EventProfile profile, JsonWriter out) {
        if (profile.headerDetails) {
            out.field(HecFields.MESSAGE_SIZE);
            out.number(size);
        }
        if (profile.header) {
            out.field(HecFields.TRANSACTION_ID);
            out.number(message.id());
        }
        if (profile.headerDetails) {
            out.field(HecFields.OPCODE);
            out.value(OPCODES.of(message.opcode()));
            writeFlags(message, out);
        }
        if (message.records(QUESTION) > 0) {
            writeQuestion(message, profile, out);
        }
        if (profile.header) {
            out.field(HecFields.QUERY_COUNT);
            out.number(message.headerCount(QUESTION));
        }
        if (response) {
            int rcode = message.rcode();
            out.field(HecFields.REPLY_CODE);
            out.value(RCODES.of(rcode));
            if (profile.header) {
                out.field(HecFields.REPLY_CODE_ID);
                out.number(rcode);
            }
        }
        writeCimAnswers(message, profile, out);
        if (answerLocations != null && enrichment.geoipOn() && profile.hunting && message.records(ANSWER) > 0) {
            answerLocations.writeAnswers(message, out);
        }
        if (enrichment.registeredDomain() && profile.hunting && message.records(ANSWER) > 0) {
            writeAnswerRegisteredDomains(message, out);
        }
        if (profile.header) {
            out.field(HecFields.ANSWER_COUNT);
            out.number(message.headerCount(ANSWER));
            out.field(HecFields.AUTHORITY_ANSWER_COUNT);
            out.number(message.headerCount(AUTHORITY));
            out.field(HecFields.ADDITIONAL_ANSWER_COUNT);
            out.number(message.headerCount(ADDITIONAL));
        }
        if (profile.sections) {
            writeRecords(HecFields.ANSWERS, message, ANSWER, out);
            writeRecords(HecFields.AUTHORITY, message, AUTHORITY, out);
            writeRecords(HecFields.ADDITIONAL, message, ADDITIONAL, out);
            if (message.hasEdns()) {
                writeEdns(message, out);
            }
        }
    }

    private static void writeFlags(DnsMessageView message, JsonWriter out) {
        out.field(HecFields.FLAGS);
        out.startArray();
        for (Flag flag : FLAGS) {
            if (message.flag(flag.bit())) {
                out.value(flag.name());
            }
        }
        out.endArray();
    }

    private void writeQuestion(DnsMessageView message, EventProfile profile, JsonWriter out) {
        int length = message.writeName(QUESTION, 0, text);
        out.field(HecFields.QUERY);
        out.string(text, 0, length);
        PublicSuffixes suffixes = enrichment.suffixes(); // the list in force: an operator's file may change
        if (suffixes != null && enrichment.namesOn()) { // a shaping file may have turned them all off
            QuestionNames.Known name = questionNames.of(text, length, suffixes);
            out.fields(nameFields(name, profile));
            writeSuspicious(enrichment.suspiciousReasons(name.facts.nameReasons(), message.type(QUESTION, 0)), out);
        }
        out.field(HecFields.QUERY_TYPE);
        out.value(TYPES.of(message.type(QUESTION, 0)));
        if (profile.headerDetails) {
            out.field(HecFields.QUERY_CLASS);
            out.value(CLASSES.of(message.dclass(QUESTION, 0)));
        }
    }

    /**
     * The fields of the question name's registered domain and shape, as the profile and the
     * enrichments on choose them: written once per name and choice, then copied (a third of the
     * enrichment's cost in a drain was writing the same fields of the same names again).
     */
    private byte[] nameFields(QuestionNames.Known name, EventProfile profile) {
        boolean domain = enrichment.registeredDomain();
        boolean shape = enrichment.nameShape() && profile.hunting;
        int variant = (domain ? 1 : 0) | (shape ? 2 : 0) | (profile.headerDetails ? 4 : 0);
        byte[] fields = name.fields(variant);
        if (fields == null) {
            nameFields.reset();
            if (domain) {
                writeRegisteredDomain(name.facts, profile, nameFields);
            }
            if (shape) {
                writeNameShape(name.facts.shape(), nameFields);
            }
            fields = nameFields.toByteArray();
            name.remember(variant, fields);
        }
        return fields;
    }

    /**
     * {@code query_registered_domain} (every profile) and {@code query_public_suffix} ({@code full}),
     * in lower case: the list compares without case, and a hunt groups by them; and
     * {@code query_unicode} for an internationalised name.
     */
    private static void writeRegisteredDomain(QuestionNames.Facts facts, EventProfile profile, JsonWriter out) {
        if (facts.registeredDomain() != null) {
            out.field(HecFields.QUERY_REGISTERED_DOMAIN);
            out.string(facts.registeredDomain());
        }
        if (facts.publicSuffix() != null && profile.headerDetails) {
            out.field(HecFields.QUERY_PUBLIC_SUFFIX);
            out.string(facts.publicSuffix());
        }
        if (facts.unicode() != null) {
            out.field(HecFields.QUERY_UNICODE);
            out.string(facts.unicode());
        }
    }

    /**
     * {@code answer_registered_domain}: the registered domains the answer's aliases lead to (the
     * targets of CNAME and DNAME records), each once: {@code evil.co.uk} behind
     * {@code login.example.com} is where a hunt follows the name.
     */
    private void writeAnswerRegisteredDomains(DnsMessageView message, JsonWriter out) {
        PublicSuffixes suffixes = enrichment.suffixes();
        aliasDomains.clear();
        for (int i = 0, answers = message.records(ANSWER); i < answers; i++) {
            int type = message.type(ANSWER, i);
            if (type != Type.CNAME && type != Type.DNAME) {
                continue;
            }
            int length = message.writeRdata(ANSWER, i, text);
            if (length > 1 && text[length - 1] == '.' && text[length - 2] != '\\') {
                length--; // an rdata name is absolute; the list takes names as questions are written
            }
            String domain = length <= 0 ? null : questionNames.of(text, length, suffixes).facts.registeredDomain();
            if (domain != null && !aliasDomains.contains(domain)) {
                aliasDomains.add(domain);
            }
        }
        out.strings(HecFields.ANSWER_REGISTERED_DOMAIN, aliasDomains);
    }

    /** The measures of the question name ({@code full} and {@code cim}). */
    private void writeNameShape(NameShape shape, JsonWriter out) {
        out.field(HecFields.QUERY_LENGTH);
        out.number(shape.length());
        out.field(HecFields.QUERY_LABELS);
        out.number(shape.labels());
        out.field(HecFields.QUERY_LONGEST_LABEL);
        out.number(shape.longestLabel());
        out.field(HecFields.QUERY_DIGITS_RATIO);
        writeThreeDecimals(shape.digitsRatio(), out);
        if (!Double.isNaN(shape.subdomainEntropy())) {
            out.field(HecFields.QUERY_SUBDOMAIN_ENTROPY);
            writeThreeDecimals(shape.subdomainEntropy(), out);
        }
    }

    /**
     * {@code query_suspicious}, every profile, only when the question is: the reasons are few and
     * rare, and what a hunt filters on first.
     */
    private static void writeSuspicious(int reasons, JsonWriter out) {
        if (reasons == 0) {
            return;
        }
        out.field(HecFields.QUERY_SUSPICIOUS);
        out.startArray();
        for (SuspiciousReason reason : SuspiciousReason.values()) {
            if (reason.in(reasons)) {
                out.value(SUSPICIOUS_VALUES[reason.ordinal()]);
            }
        }
        out.endArray();
    }

    /** A number of at most three decimals ({@code 3.459}): what a threshold needs, and few bytes. */
    private void writeThreeDecimals(double value, JsonWriter out) {
        long thousandths = Math.round(value * 1000);
        long whole = thousandths / 1000;
        int fraction = (int) (thousandths % 1000);
        int length = Decimal.write(whole, decimal, 0);
        if (fraction != 0) {
            decimal[length++] = '.';
            decimal[length++] = (char) ('0' + fraction / 100);
            decimal[length++] = (char) ('0' + fraction / 10 % 10);
            decimal[length++] = (char) ('0' + fraction % 10);
            while (decimal[length - 1] == '0') {
                length--;
            }
        }
        out.number(decimal, 0, length);
    }

    /** CIM's flat, parallel lists: {@code answer} (rdata), {@code ttl}, {@code record_type}. */
    private void writeCimAnswers(DnsMessageView message, EventProfile profile, JsonWriter out) {
        int answers = message.records(ANSWER);
        if (answers == 0) {
            return;
        }
        out.field(HecFields.ANSWER);
        out.startArray();
        for (int i = 0; i < answers; i++) {
            writeRdata(message, ANSWER, i, out);
        }
        out.endArray();
        if (!profile.answerLists) {
            return;
        }
        out.field(HecFields.TTL);
        out.startArray();
        for (int i = 0; i < answers; i++) {
            out.number(message.ttl(ANSWER, i));
        }
        out.endArray();
        out.field(HecFields.RECORD_TYPE);
        out.startArray();
        for (int i = 0; i < answers; i++) {
            out.value(TYPES.of(message.type(ANSWER, i)));
        }
        out.endArray();
    }

    /** A section as full records; the OPT pseudo-record is left out (it is {@code edns}). */
    private void writeRecords(byte[] field, DnsMessageView message, int section, JsonWriter out) {
        boolean started = false;
        for (int i = 0, records = message.records(section); i < records; i++) {
            if (message.type(section, i) == DnsMessageView.OPT) {
                continue;
            }
            if (!started) {
                out.field(field);
                out.startArray();
                started = true;
            }
            out.startObject();
            writeNameTypeClass(message, section, i, HecFields.NAME, HecFields.TYPE, HecFields.CLASS, out);
            out.field(HecFields.TTL);
            out.number(message.ttl(section, i));
            out.field(HecFields.RDATA);
            writeRdata(message, section, i, out);
            out.endObject();
        }
        if (started) {
            out.endArray();
        }
    }

    /** The question's (query, query_type, query_class) or a record's (name, type, class). */
    private void writeNameTypeClass(DnsMessageView message, int section, int index, byte[] nameKey, byte[] typeKey,
            byte[] classKey, JsonWriter out) {
        out.field(nameKey);
        out.string(text, 0, message.writeName(section, index, text));
        out.field(typeKey);
        out.value(TYPES.of(message.type(section, index)));
        out.field(classKey);
        out.value(CLASSES.of(message.dclass(section, index)));
    }

    private void writeRdata(DnsMessageView message, int section, int index, JsonWriter out) {
        int length = message.writeRdata(section, index, text);
        if (length >= 0) {
            out.string(text, 0, length);
        } else {
            out.string(message.rdataText(section, index));
        }
    }

    /**
     * With client privacy on, the options whose data may be sent: those that describe the server
     * or the transport. Any other may identify the client: its subnet (8), a cookie derived from
     * its address (10), a client tag (16), and the private options resolvers and forwarders use
     * for client addresses, device ids or MAC addresses (dnsdist's 65001, Umbrella's 20292, ...).
     */
    private static boolean carriesNoClientIdentity(int code) {
        return switch (code) {
            case 3, 5, 6, 7, 9, 11, 12, 13, 14, 15, 18, 19 -> true; // NSID, DAU/DHU/N3U, EXPIRE, keepalive, padding,
                                                                  // chain, key tag, extended error, report channel,
                                                                  // zone version
            default -> false;
        };
    }

    private void writeEdns(DnsMessageView message, JsonWriter out) {
        out.field(HecFields.EDNS);
        out.startObject();
        out.field(HecFields.VERSION);
        out.number(message.ednsVersion());
        out.field(HecFields.UDP_SIZE);
        out.number(message.udpPayloadSize());
        out.field(HecFields.DO);
        out.bool(message.dnssecOk());
        out.field(HecFields.OPTIONS);
        out.startArray();
        for (int i = 0, options = message.ednsOptions(); i < options; i++) {
            int code = message.optionCode(i);
            out.startObject();
            out.field(HecFields.CODE);
            out.number(code);
            out.field(HecFields.NAME);
            out.value(OPTIONS.of(code));
            if (!privacy.hidesAddresses() || carriesNoClientIdentity(code)) { // the subnet goes as ecs, shaped
                out.field(HecFields.DATA);
                out.string(HEX.formatHex(message.optionData(i)));
            }
            out.endObject();
        }
        out.endArray();
        out.endObject();
        String clientSubnet = message.clientSubnet();
        if (clientSubnet != null) {
            out.field(HecFields.ECS);
            out.string(privacy.clientSubnet(clientSubnet));
        }
    }
}
