package io.dnstapforwarder.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.assertj.core.api.SoftAssertions;

/**
 * Compares a HEC event, field by field, with the reference decode of the same dnstap message.
 * Used on the renderer alone and on what reached the HEC emulator through the whole pipeline.
 */
public final class ReferenceComparison {

    private ReferenceComparison() {
    }

    public static void assertMatches(JsonNode hec, ReferenceDecode.Message reference, String sourcetype) {
        SoftAssertions soft = new SoftAssertions();
        JsonNode e = hec.get("event");
        String where = " (message at " + reference.time() + ")";
        soft.assertThat(hec.get("time").decimalValue()).as("time" + where).isEqualByComparingTo(reference.time());
        soft.assertThat(hec.get("time").toString()).as("time has microseconds" + where)
                .isEqualTo(reference.time().setScale(6).toPlainString());
        soft.assertThat(hec.get("host").asText()).as("host").isEqualTo(reference.identity());
        soft.assertThat(hec.get("source").asText()).as("source").isEqualTo("dnstap");
        soft.assertThat(hec.get("sourcetype").asText()).as("sourcetype").isEqualTo(sourcetype);
        soft.assertThat(e.get("dnstap_type").asText()).as("dnstap_type" + where).isEqualTo(reference.type());
        soft.assertThat(e.get("message_type").asText()).as("message_type" + where)
                .isEqualTo(reference.type().endsWith("QUERY") ? "Query" : "Response");
        soft.assertThat(e.get("identity").asText()).as("identity").isEqualTo(reference.identity());
        soft.assertThat(e.get("version").asText()).as("version").isEqualTo(reference.version());
        soft.assertThat(e.get("socket_family").asText()).as("socket_family" + where).isEqualTo(reference.socketFamily());
        soft.assertThat(e.get("transport").asText()).as("transport" + where)
                .isEqualTo(reference.socketProtocol().toLowerCase(Locale.ROOT));
        soft.assertThat(e.get("src").asText()).as("src" + where).isEqualTo(reference.queryAddress());
        soft.assertThat(e.get("dest").asText()).as("dest" + where).isEqualTo(reference.responseAddress());
        soft.assertThat(e.get("src_port").asInt()).as("src_port" + where).isEqualTo(reference.queryPort());
        soft.assertThat(e.get("dest_port").asInt()).as("dest_port" + where).isEqualTo(reference.responsePort());
        soft.assertThat(e.get("message_size").asInt()).as("message_size" + where).isEqualTo(reference.messageSize());

        ReferenceDecode.DnsMessage dns = reference.dns();
        soft.assertThat(e.get("transaction_id").asInt()).as("transaction_id" + where).isEqualTo(dns.id());
        soft.assertThat(e.get("opcode").asText()).as("opcode" + where).isEqualTo(dns.opcode());
        soft.assertThat(strings(e.get("flags"))).as("flags" + where).isEqualTo(dns.flags());
        soft.assertThat(e.get("query").asText()).as("query" + where).isEqualTo(withoutFinalDot(dns.questionName()));
        soft.assertThat(e.get("query_type").asText()).as("query_type" + where).isEqualTo(dns.questionType());
        soft.assertThat(e.get("query_class").asText()).as("query_class" + where).isEqualTo(dns.questionClass());
        soft.assertThat(e.get("query_count").asInt()).as("query_count" + where).isEqualTo(dns.questionCount());
        if (reference.type().endsWith("RESPONSE")) {
            soft.assertThat(e.get("reply_code").asText()).as("reply_code" + where).isEqualTo(dns.rcode());
        } else {
            soft.assertThat(e.has("reply_code")).as("queries carry no reply_code" + where).isFalse();
        }
        soft.assertThat(strings(e.get("answer"))).as("answer" + where)
                .isEqualTo(dns.answers().stream().map(ReferenceDecode.ResourceRecord::rdata).toList());
        soft.assertThat(longs(e.get("ttl"))).as("ttl" + where)
                .isEqualTo(dns.answers().stream().map(ReferenceDecode.ResourceRecord::ttl).toList());
        soft.assertThat(e.get("answer_count").asInt()).as("answer_count" + where).isEqualTo(dns.answerCount());
        soft.assertThat(e.get("authority_answer_count").asInt()).as("authority count" + where).isEqualTo(dns.authorityCount());
        List<String> authority = new ArrayList<>();
        if (e.has("authority")) {
            e.get("authority").forEach(r -> authority.add(r.get("name").asText() + " " + r.get("ttl").asLong() + " "
                    + r.get("class").asText() + " " + r.get("type").asText() + " " + r.get("rdata").asText()));
        }
        soft.assertThat(authority).as("authority" + where).isEqualTo(dns.authority().stream()
                .map(r -> withoutFinalDot(r.name()) + " " + r.ttl() + " " + r.rrClass() + " " + r.type() + " " + r.rdata())
                .toList());
        if (dns.ednsVersion() == null) {
            soft.assertThat(e.has("edns")).as("edns" + where).isFalse();
        } else {
            JsonNode edns = e.get("edns");
            soft.assertThat(edns.get("version").asInt()).as("edns version" + where).isEqualTo(dns.ednsVersion());
            soft.assertThat(edns.get("udp_size").asInt()).as("udp_size" + where).isEqualTo(dns.udpSize());
            soft.assertThat(edns.get("do").asBoolean()).as("do" + where).isEqualTo(dns.ednsFlags().contains("do"));
            soft.assertThat(optionsHex(edns.get("options"))).as("edns options" + where)
                    .isEqualTo(dns.ednsDataHex() == null ? "" : dns.ednsDataHex());
        }
        soft.assertAll();
    }

    /** The options re-encoded (code, length, data), as ldns prints the OPT rdata. */
    private static String optionsHex(JsonNode options) {
        StringBuilder hex = new StringBuilder();
        for (JsonNode option : options) {
            String data = option.get("data").asText();
            hex.append(String.format("%04x%04x", option.get("code").asInt(), data.length() / 2)).append(data);
        }
        return hex.toString();
    }

    static String withoutFinalDot(String name) {
        return name.equals(".") ? "." : name.substring(0, name.length() - 1);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> values.add(v.asLong()));
        }
        return values;
    }

    /**
     * A key that tells the messages of a capture apart when Kafka has shuffled their order:
     * the DNS event time, the dnstap type and the client port.
     */
    public static String key(JsonNode hec) {
        JsonNode e = hec.get("event");
        return hec.get("time").decimalValue().setScale(6).toPlainString() + " " + e.get("dnstap_type").asText() + " "
                + e.get("src_port").asInt();
    }

    public static String key(ReferenceDecode.Message reference) {
        return reference.time().setScale(6).toPlainString() + " " + reference.type() + " " + reference.queryPort();
    }
}
