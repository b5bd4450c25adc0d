package io.dnstapforwarder.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.net.IpAddresses;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestData;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The add-on {@code splunk/TA-dnstap-forwarder} applied to every event of the Unbound capture, as
 * the {@code full} and {@code cim} profiles render them: each event gets the tags of the Network
 * Resolution (DNS) dataset, and each field the data model lists is there with a value it allows.
 *
 * <p>The field list, which are required, the prescribed values and the validity checks are those
 * of Splunk's own CIM test tool: pytest-splunk-addon,
 * {@code pytest_splunk_addon/standard_lib/data_models/Network_Resolution.json} (commit
 * 098795cb370b9ebe1f59df02c599b72fce02adf3), which follows the CIM manual's "Network
 * Resolution (DNS)" reference. Where this test departs from it, it says why:
 * <ul>
 *   <li>A field is checked on the events it can belong to: {@code reply_code} on responses,
 *       {@code answer}, {@code record_type} and {@code ttl} on responses with answers,
 *       {@code response_time} where the DNS server sent both times (Unbound sends none with its
 *       responses, so a synthetic response checks it).
 *   <li>{@code query_type}, {@code record_type}: the prescribed values, or any type IANA
 *       registered (the CIM manual: "may contain ... Resource Record Type codes"; the capture has
 *       HTTPS, CAA, ANY, TYPE65534).
 *   <li>{@code reply_code}, {@code reply_code_id}: the prescribed values, or the other IANA codes.
 *   <li>{@code src}, {@code dest}: an IP address in any form (the tool's pattern accepts only
 *       uncompressed IPv6), or for {@code dest} the DNS server's name.
 * </ul>
 */
class CimNetworkResolutionTest {

    private static final Set<String> TAGS = Set.of("network", "resolution", "dns");
    private static final List<String> QUERY_TYPES = List.of("Query", "IQuery", "Status", "Notify", "Update", "A", "MX",
            "NS", "PTR", "AAAA", "CNAME", "SRV");
    private static final List<String> RECORD_TYPES = List.of("A", "DNAME", "MX", "NS", "PTR", "AAAA", "CNAME", "TXT");
    private static final List<String> REPLY_CODES = List.of("No Error", "Format Error", "Server Failure",
            "Non-Existent Domain", "NotImp", "Refused", "YXDomain", "YXRRSet", "NotAuth", "NotZone", "BADVERS", "BADSIG",
            "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "NXDomain", "NoError");
    /** Required on every DNS event. */
    private static final List<String> REQUIRED = List.of("additional_answer_count", "answer_count",
            "authority_answer_count", "dest", "message_type", "query", "query_count", "query_type", "src",
            "transaction_id", "transport");

    @ParameterizedTest
    @EnumSource(value = EventProfile.class, names = {"FULL", "CIM"})
    void everyEventOfTheCaptureIsADnsEventOfTheDataModelWithEveryFieldItNeeds(EventProfile profile) throws Exception {
        SplunkAddOn addOn = SplunkAddOn.load("dnstap");
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile));
        List<byte[]> capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL),
                DnstapEvents.DNSTAP_CONTENT_TYPE);
        int responsesWithAnswers = 0;
        for (byte[] frame : capture) {
            JsonNode hec = Json.exactDecimals().readTree(renderer.render(envelope(frame)));
            Map<String, List<String>> fields = addOn.fields(hec.get("event"), hec.get("host").asText(), "dnstap");
            String which = profile + " " + fields.get("message_type") + " " + fields.get("query");

            assertThat(addOn.tags(fields)).as(which).containsExactlyInAnyOrderElementsOf(TAGS);
            REQUIRED.forEach(field -> assertThat(fields).as(which).containsKey(field));
            checkValues(fields, which);
            if (fields.get("message_type").get(0).equals("Response")) {
                assertThat(fields).as(which).containsKeys("reply_code", "reply_code_id");
                if (!fields.get("answer_count").get(0).equals("0")) {
                    assertThat(fields).as(which).containsKeys("answer", "record_type", "ttl");
                    responsesWithAnswers++;
                }
            }
            assertThat(fields.get("vendor_product")).as(which + ": the software, not its version").containsExactly("Unbound");
        }
        assertThat(responsesWithAnswers).as("the capture has responses with answers").isGreaterThan(100);
    }

    /**
     * With {@code --transactions}: each query of the capture and its response (the message after
     * it, of the same transaction key) as one event, in the data model once, as a query and as a
     * response, with its response time.
     */
    @ParameterizedTest
    @EnumSource(value = EventProfile.class, names = {"FULL", "CIM"})
    void everyTransactionOfTheCaptureIsADnsEventOfTheDataModelWithItsResponseTime(EventProfile profile) throws Exception {
        SplunkAddOn addOn = SplunkAddOn.load("dnstap");
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile));
        List<byte[]> capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL),
                DnstapEvents.DNSTAP_CONTENT_TYPE);
        for (int i = 0; i + 1 < capture.size(); i += 2) {
            DnstapEvent query = envelope(capture.get(i));
            DnstapEvent response = envelope(capture.get(i + 1));
            assertThat(key(query)).as("message %d and the next are one transaction", i).isEqualTo(key(response));
            JsonNode hec = Json.exactDecimals().readTree(renderer.render(TransactionKind.PAIRED, query, response, profile,
                    1, null));
            Map<String, List<String>> fields = addOn.fields(hec.get("event"), hec.get("host").asText(), "dnstap");
            String which = profile + " transaction " + fields.get("query");

            assertThat(addOn.tags(fields)).as(which).containsExactlyInAnyOrderElementsOf(TAGS);
            REQUIRED.forEach(field -> assertThat(fields).as(which).containsKey(field));
            checkValues(fields, which);
            assertThat(fields.get("message_type")).as(which).containsExactly("Query", "Response");
            assertThat(fields).as(which).containsKeys("reply_code", "reply_code_id");
            assertThat(new java.math.BigDecimal(fields.get("response_time").get(0))).as(which).isNotNegative()
                    .isEqualByComparingTo(fields.get("duration").get(0));
        }
    }

    private static TransactionKey key(DnstapEvent event) {
        DnstapPeek peek = new DnstapPeek();
        assertThat(peek.read(event.toByteArray())).isTrue();
        return TransactionKey.of(peek);
    }

    @ParameterizedTest
    @EnumSource(value = EventProfile.class, names = {"FULL", "CIM"})
    void aResponseWithBothTimesHasItsResponseTimeInSeconds(EventProfile profile) throws Exception {
        byte[] response = org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                org.xbill.DNS.Name.fromConstantString("www.example."), Type.A, org.xbill.DNS.DClass.IN)).toWire();
        response[2] |= (byte) 0x80; // QR: a response
        Message.Builder message = Message.newBuilder().setType(Message.Type.CLIENT_RESPONSE)
                .setSocketProtocol(io.dnstapforwarder.dnstap.SocketProtocol.UDP)
                .setQueryAddress(ByteString.copyFrom(new byte[] {(byte) 192, 0, 2, 7}))
                .setResponseAddress(ByteString.copyFrom(new byte[] {(byte) 192, 0, 2, 53}))
                .setQueryTimeSec(1_795_964_864L).setQueryTimeNsec(100_000_000)
                .setResponseTimeSec(1_795_964_864L).setResponseTimeNsec(103_500_000)
                .setResponseMessage(ByteString.copyFrom(response));
        byte[] frame = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setIdentity(ByteString.copyFromUtf8("ns1"))
                .setMessage(message).build().toByteArray();
        JsonNode hec = Json.exactDecimals().readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null,
                profile)).render(envelope(frame)));

        Map<String, List<String>> fields = SplunkAddOn.load("dnstap").fields(hec.get("event"), "ns1", "dnstap");

        assertThat(new java.math.BigDecimal(fields.get("response_time").get(0))).isEqualByComparingTo("0.0035");
        assertThat(fields.get("reply_code")).containsExactly("NoError");
        assertThat(fields.get("reply_code_id")).containsExactly("0");
    }

    private static void checkValues(Map<String, List<String>> fields, String which) {
        for (String count : List.of("additional_answer_count", "answer_count", "authority_answer_count", "query_count",
                "transaction_id")) {
            assertThat(fields.get(count)).as(which + " " + count).allSatisfy(value -> assertThat(value).matches("\\d+"));
        }
        assertThat(fields.get("message_type")).as(which).isSubsetOf("Query", "Response");
        assertThat(fields.get("query_count").get(0)).as(which).isEqualTo(Integer.toString(fields.get("query").size()));
        if (fields.containsKey("answer")) {
            assertThat(fields.get("answer_count").get(0)).as(which + " answer_count == mvcount(answer)")
                    .isEqualTo(Integer.toString(fields.get("answer").size()));
            assertThat(fields.get("ttl")).as(which).allSatisfy(value -> assertThat(value).matches("\\d+"));
        }
        fields.get("query_type").forEach(value -> assertThat(QUERY_TYPES.contains(value) || Type.value(value) >= 0)
                .as(which + " query_type " + value).isTrue());
        fields.getOrDefault("record_type", List.of()).forEach(value -> assertThat(RECORD_TYPES.contains(value)
                || Type.value(value) >= 0).as(which + " record_type " + value).isTrue());
        fields.getOrDefault("reply_code", List.of()).forEach(value -> assertThat(REPLY_CODES.contains(value)
                || List.of("NXRRSet", "DSOTYPENI", "BADTRUNC", "BADCOOKIE").contains(value))
                .as(which + " reply_code " + value).isTrue());
        fields.getOrDefault("reply_code_id", List.of()).forEach(value -> assertThat(value).matches("\\d+")
                .satisfies(id -> assertThat(Rcode.string(Integer.parseInt(id))).isNotEmpty()));
        assertThat(isAddress(fields.get("src").get(0))).as(which + " src").isTrue();
        String dest = fields.get("dest").get(0);
        assertThat(isAddress(dest) || dest.equals(fields.get("host").get(0))).as(which + " dest").isTrue();
        assertThat(fields.get("transport").get(0)).as(which).isNotBlank();
    }

    private static boolean isAddress(String text) {
        try {
            return text.matches("[0-9a-fA-F:.]+") && IpAddresses.format(InetAddress.getByName(text).getAddress()) != null;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    static DnstapEvent envelope(byte[] frame) {
        return DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame)).setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE)
                .setCollectorId("collector-1").setConnectionId(1).setTransport(Transport.UNIX)
                .setPeerAddress("/run/dnstap.sock").setReceivedAtNs(1_795_964_864_000_000_000L).build();
    }
}
