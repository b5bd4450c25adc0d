package io.dnstapforwarder.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference decode of a capture, as the dnstap reference tools print it: {@code dnstap-ldns -y}
 * (YAML, with the DNS message in ldns presentation format) and {@code dnstap-ldns} one-line output
 * (for the message size). Tests compare what the pipeline produced with this, field by field.
 */
public final class ReferenceDecode {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final Pattern HEADER = Pattern.compile(
            ";; ->>HEADER<<- opcode: (\\S+), rcode: (\\S+), id: (\\d+)");
    private static final Pattern FLAGS = Pattern.compile(
            ";; flags: ([a-z ]*); QUERY: (\\d+), ANSWER: (\\d+), AUTHORITY: (\\d+), ADDITIONAL: (\\d+)\\s*");
    private static final Pattern EDNS = Pattern.compile(";; EDNS: version (\\d+); flags: ([a-z ]*); udp: (\\d+)");
    private static final Pattern DATA = Pattern.compile(";; Data: \\\\# (\\d+) ([0-9a-f]*)");
    private static final Pattern SIZE = Pattern.compile(" (\\d+)b ");

    /** One dnstap message as the reference tools decoded it. */
    public record Message(String type, String identity, String version, BigDecimal time, String socketFamily,
            String socketProtocol, String queryAddress, String responseAddress, Integer queryPort, Integer responsePort,
            int messageSize, DnsMessage dns) {
    }

    /** A DNS message as ldns printed it. Names keep ldns' trailing dot. */
    public record DnsMessage(String opcode, String rcode, int id, List<String> flags, int questionCount,
            int answerCount, int authorityCount, int additionalCount, String questionName, String questionClass,
            String questionType, List<ResourceRecord> answers, List<ResourceRecord> authority, Integer ednsVersion,
            List<String> ednsFlags, Integer udpSize, String ednsDataHex) {
    }

    public record ResourceRecord(String name, long ttl, String rrClass, String type, String rdata) {
    }

    private ReferenceDecode() {
    }

    /** The reference decode of {@code testdata/unbound-small.fstrm}, in capture order. */
    public static List<Message> unboundSmall() throws IOException {
        return load(TestData.path("unbound-small.yaml"), TestData.path("unbound-small.txt"));
    }

    public static List<Message> load(Path yaml, Path oneLine) throws IOException {
        List<String> lines = Files.readAllLines(oneLine);
        List<Message> messages = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml.toFile())) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document == null || document.isMissingNode() || !document.has("message")) {
                    continue; // the empty document after the final "---"
                }
                messages.add(message(document, sizeOf(lines.get(messages.size()))));
            }
        }
        if (messages.size() != lines.size()) {
            throw new IllegalStateException(yaml + " has " + messages.size() + " messages, " + oneLine + " " + lines.size());
        }
        return messages;
    }

    private static Message message(JsonNode document, int size) {
        JsonNode m = document.get("message");
        boolean query = m.has("query_message");
        String time = text(m, query ? "query_time" : "response_time");
        return new Message(text(m, "type"), text(document, "identity"), text(document, "version"),
                time == null ? null : epochSeconds(time), text(m, "socket_family"), text(m, "socket_protocol"),
                text(m, "query_address"), text(m, "response_address"), integer(m, "query_port"),
                integer(m, "response_port"), size, dns(text(m, query ? "query_message" : "response_message")));
    }

    /** Parses the ldns presentation of a message (the dig-like text block). */
    static DnsMessage dns(String text) {
        List<String> lines = Arrays.asList(text.split("\n"));
        Matcher header = matchLine(lines, HEADER);
        Matcher flags = matchLine(lines, FLAGS);
        String[] question = lines.get(lines.indexOf(";; QUESTION SECTION:") + 1).substring(1).split("\t");
        Matcher edns = findLine(lines, EDNS);
        Matcher data = findLine(lines, DATA);
        return new DnsMessage(header.group(1), header.group(2), Integer.parseInt(header.group(3)),
                List.of(flags.group(1).trim().isEmpty() ? new String[0] : flags.group(1).trim().split(" ")),
                Integer.parseInt(flags.group(2)), Integer.parseInt(flags.group(3)), Integer.parseInt(flags.group(4)),
                Integer.parseInt(flags.group(5)), question[0], question[1], question[2],
                section(lines, ";; ANSWER SECTION:"), section(lines, ";; AUTHORITY SECTION:"),
                edns == null ? null : Integer.valueOf(edns.group(1)),
                edns == null ? List.of() : List.of(edns.group(2).trim().isEmpty() ? new String[0] : edns.group(2).trim().split(" ")),
                edns == null ? null : Integer.valueOf(edns.group(3)),
                data == null ? null : data.group(2));
    }

    private static List<ResourceRecord> section(List<String> lines, String title) {
        List<ResourceRecord> records = new ArrayList<>();
        for (int i = lines.indexOf(title) + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
            String[] fields = lines.get(i).split("\t", 5);
            records.add(new ResourceRecord(fields[0], Long.parseLong(fields[1]), fields[2], fields[3], fields[4]));
        }
        return records;
    }

    private static Matcher matchLine(List<String> lines, Pattern pattern) {
        Matcher matcher = findLine(lines, pattern);
        if (matcher == null) {
            throw new IllegalStateException("no line matches " + pattern + " in " + lines);
        }
        return matcher;
    }

    private static Matcher findLine(List<String> lines, Pattern pattern) {
        for (String line : lines) {
            Matcher matcher = pattern.matcher(line);
            if (matcher.matches()) {
                return matcher;
            }
        }
        return null;
    }

    /** dnstap-ldns prints UTC times with microseconds; this is the same instant as epoch seconds. */
    private static BigDecimal epochSeconds(String timestamp) {
        LocalDateTime time = LocalDateTime.parse(timestamp, TIMESTAMP);
        long seconds = time.toEpochSecond(ZoneOffset.UTC);
        return BigDecimal.valueOf(seconds).add(BigDecimal.valueOf(time.getNano() / 1000, 6));
    }

    private static int sizeOf(String line) {
        Matcher matcher = SIZE.matcher(line);
        if (!matcher.find()) {
            throw new IllegalStateException("no message size in: " + line);
        }
        return Integer.parseInt(matcher.group(1));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null ? null : value.asInt();
    }
}
