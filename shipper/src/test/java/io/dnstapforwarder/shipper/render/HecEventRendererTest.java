package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.dnstap.Policy;
import io.dnstapforwarder.dnstap.SocketFamily;
import io.dnstapforwarder.dnstap.SocketProtocol;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.ReferenceComparison;
import io.dnstapforwarder.testkit.ReferenceDecode;
import io.dnstapforwarder.testkit.TestData;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class HecEventRendererTest {

    private static final long RECEIVED_AT = 1_795_964_900_123_456_789L;
    private final ObjectMapper json = io.dnstapforwarder.testkit.Json.exactDecimals();
    private final HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));

    @Test
    void rendersEveryMessageOfTheUnboundCaptureAsTheReferenceDecoderReadsIt() throws Exception {
        List<byte[]> frames = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        List<ReferenceDecode.Message> reference = ReferenceDecode.unboundSmall();
        assertThat(frames).hasSameSizeAs(reference);

        for (int i = 0; i < frames.size(); i++) {
            JsonNode event = json.readTree(renderer.render(envelope(frames.get(i), Transport.UNIX, "/run/dnstap.sock", 0)));
            ReferenceComparison.assertMatches(event, reference.get(i), "dnstap");
        }
    }

    @Test
    void namesTheClientSubnetOfTheQueryThatCarriesOne() throws Exception {
        List<byte[]> frames = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        List<JsonNode> withSubnet = new java.util.ArrayList<>();
        for (byte[] frame : frames) {
            JsonNode event = json.readTree(renderer.render(envelope(frame, Transport.UNIX, "/s", 0)));
            if (event.at("/event").has("ecs")) {
                withSubnet.add(event);
            }
        }

        assertThat(withSubnet).hasSize(1);
        JsonNode event = withSubnet.get(0).get("event");
        assertThat(event.get("ecs").asText()).isEqualTo("192.0.2.0/24");
        assertThat(event.at("/edns/options/0/name").asText()).isEqualTo("CLIENT-SUBNET");
        assertThat(event.get("message_type").asText()).isEqualTo("Query");
    }

    @Test
    void coversTheCaptureVarietyTheReferenceHolds() throws Exception {
        List<ReferenceDecode.Message> reference = ReferenceDecode.unboundSmall();

        assertThat(reference).extracting(ReferenceDecode.Message::socketFamily).contains("INET", "INET6");
        assertThat(reference).extracting(ReferenceDecode.Message::socketProtocol).contains("UDP", "TCP");
        assertThat(reference).extracting(m -> m.dns().questionName())
                .contains("sp\\032ace.test.example.", "caf\\195\\169.test.example.", "bin\\000\\255.test.example.",
                        "WwW.TeSt.ExAmPlE.");
        assertThat(reference).extracting(m -> m.dns().rcode()).contains("NOERROR", "NXDOMAIN", "REFUSED");
        assertThat(reference).extracting(m -> m.dns().questionClass()).contains("IN", "CH");
        assertThat(reference).extracting(m -> m.dns().questionType()).contains("TYPE65534", "HTTPS", "CAA", "ANY");
    }

    @Test
    void keepsTheEnvelopeDetailsAndTheCollectorsTimeOfReceipt() throws Exception {
        JsonNode event = json.readTree(renderer.render(envelope(firstFrame(), Transport.TCP, "2001:db8::9", 5353)));

        assertThat(event.at("/event/collector").asText()).isEqualTo("collector-1");
        assertThat(event.at("/event/collector_peer").asText()).isEqualTo("tcp [2001:db8::9]:5353");
        assertThat(event.at("/event/connection_id").asLong()).isEqualTo(7);
        assertThat(event.at("/event/received_at").asText()).isEqualTo("2026-11-29T15:08:20.123456Z");
        assertThat(event.at("/event").has("collector_peer_certificate")).as("only over mutual TLS").isFalse();
    }

    @Test
    void namesTheSendersClientCertificateOverMutualTls() throws Exception {
        DnstapEvent overMutualTls = envelope(firstFrame(), Transport.TLS, "192.0.2.53", 40000).toBuilder()
                .setPeerCertificate("CN=resolver-1,O=Example").build();

        JsonNode event = json.readTree(renderer.render(overMutualTls));

        assertThat(event.at("/event/collector_peer_certificate").asText()).isEqualTo("CN=resolver-1,O=Example");
    }

    @Test
    void fallsBackToTheCollectorPeerAsHostWithoutIdentityAndToReceiptTimeWithoutTimes() throws Exception {
        Dnstap bare = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE)
                .setMessage(Message.newBuilder().setType(Message.Type.AUTH_QUERY)).build();

        JsonNode overTcp = json.readTree(renderer.render(envelope(bare.toByteArray(), Transport.TCP, "192.0.2.53", 40000)));
        JsonNode overUnix = json.readTree(renderer.render(envelope(bare.toByteArray(), Transport.UNIX, "/run/d.sock", 0)));

        assertThat(overTcp.get("host").asText()).isEqualTo("192.0.2.53");
        assertThat(overUnix.get("host").asText()).isEqualTo("collector-1");
        assertThat(overTcp.get("time").toString()).isEqualTo("1795964900.123456");
        assertThat(overTcp.at("/event/message_type").asText()).isEqualTo("Query");
    }

    @Test
    void timesTheEventAtReceiptAndSaysWhyWhenTheDnsTimesAreNotTimes() throws Exception {
        // A buggy or hostile sender: query_time_sec above 2^63 (negative as a Java long), nsec past a second.
        Dnstap dnstap = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setMessage(message(Message.Type.CLIENT_RESPONSE)
                .setQueryTimeSec(-1L).setQueryTimeNsec(-1).setResponseTimeSec(Long.MIN_VALUE).setResponseTimeNsec(5)
                .setResponseMessage(ByteString.copyFrom(validQuery()))).build();

        JsonNode event = json.readTree(renderer.render(envelope(wrap(dnstap), Transport.UNIX, "/s", 0)));

        assertThat(event.get("time").toString()).isEqualTo("1795964900.123456");
        assertThat(event.at("/event/time_error").asText()).isEqualTo(
                "query_time_sec 18446744073709551615 and query_time_nsec 4294967295 are not a time between 1970 and 2100; "
                        + "response_time_sec 9223372036854775808 and response_time_nsec 5 are not a time between 1970 and "
                        + "2100");
        assertThat(event.at("/event").has("query_timestamp")).isFalse();
        assertThat(event.at("/event").has("response_timestamp")).isFalse();
        assertThat(event.at("/event").has("duration")).isFalse();
        assertThat(event.at("/event/query").asText()).isEqualTo("www.example");
    }

    @Test
    void keepsTheOtherTimeWhenOnlyOneIsNotATime() throws Exception {
        Dnstap dnstap = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setMessage(message(Message.Type.CLIENT_RESPONSE)
                .setQueryTimeSec(1_795_964_864L).setQueryTimeNsec(0).setResponseTimeSec(4_102_444_800L)).build();

        JsonNode event = json.readTree(renderer.render(envelope(wrap(dnstap), Transport.UNIX, "/s", 0)));

        assertThat(event.get("time").toString()).isEqualTo("1795964864.000000");
        assertThat(event.at("/event/query_timestamp").toString()).isEqualTo("1795964864.000000");
        assertThat(event.at("/event/time_error").asText()).startsWith("response_time_sec 4102444800 and");
    }

    @Test
    void writesPortsAsTheUnsignedNumbersTheyAre() throws Exception {
        Dnstap dnstap = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE)
                .setMessage(message(Message.Type.CLIENT_QUERY).setQueryPort(-1).setResponsePort(53)).build();

        JsonNode event = json.readTree(renderer.render(envelope(wrap(dnstap), Transport.UNIX, "/s", 0)));

        assertThat(event.at("/event/src_port").asLong()).isEqualTo(4_294_967_295L);
        assertThat(event.at("/event/dest_port").asInt()).isEqualTo(53);
    }

    @Test
    void keepsAnUndecodableDnsMessageRawWithTheReason() throws Exception {
        byte[] truncated = Arrays.copyOf(validQuery(), 20);
        Dnstap dnstap = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE)
                .setMessage(message(Message.Type.CLIENT_QUERY).setQueryMessage(ByteString.copyFrom(truncated))).build();

        JsonNode event = json.readTree(renderer.render(envelope(wrap(dnstap), Transport.UNIX, "/s", 0)));

        assertThat(event.at("/event/parse_error").asText()).startsWith("DNS message: ");
        assertThat(event.at("/event/raw_message").asText()).isEqualTo(java.util.Base64.getEncoder().encodeToString(truncated));
        assertThat(event.at("/event/message_size").asInt()).isEqualTo(20);
        assertThat(event.at("/event/dnstap_type").asText()).isEqualTo("CLIENT_QUERY");
        assertThat(event.at("/event").has("query")).isFalse();
    }

    @Test
    void keepsAFrameThatIsNotDnstapRaw() throws Exception {
        byte[] garbage = {(byte) 0xff, 0x01, 0x02};

        JsonNode event = json.readTree(renderer.render(envelope(garbage, Transport.UNIX, "/s", 0)));

        assertThat(event.at("/event/parse_error").asText()).isEqualTo("dnstap frame is not a dnstap.Dnstap protobuf message");
        assertThat(event.at("/event/raw_frame").asText()).isEqualTo("/wEC");
        assertThat(event.get("time").toString()).isEqualTo("1795964900.123456");
    }

    @Test
    void namesEveryTransportAsTheContractSays() {
        assertThat(Arrays.stream(SocketProtocol.values()).map(DnstapFieldsWriter::transport))
                .containsExactly("udp", "tcp", "dot", "doh", "dnscrypt-udp", "dnscrypt-tcp", "doq");
    }

    @Test
    void rendersWhatOtherServersAddDurationZonePolicyHttpAndIpv6() throws Exception {
        Message.Builder response = message(Message.Type.RESOLVER_RESPONSE)
                .setSocketFamily(SocketFamily.INET6)
                .setSocketProtocol(SocketProtocol.DOH)
                .setHttpProtocol(io.dnstapforwarder.dnstap.HttpProtocol.HTTP2)
                .setQueryAddress(ByteString.copyFrom(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}))
                .setResponseAddress(ByteString.copyFrom(new byte[16]))
                .setQueryTimeSec(100).setQueryTimeNsec(900_000_000)
                .setResponseTimeSec(101).setResponseTimeNsec(150_000_500)
                .setQueryZone(ByteString.copyFrom(Name.fromConstantString("example.").toWire()))
                .setResponseMessage(ByteString.copyFrom(validQuery()))
                .setPolicy(Policy.newBuilder().setType("RPZ").setAction(Policy.Action.NXDOMAIN)
                        .setMatch(Policy.Match.CLIENT_IP).setValue(ByteString.copyFrom(new byte[] {(byte) 192, 0, 2, 1})));
        Dnstap dnstap = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setIdentity(ByteString.copyFromUtf8("pdns"))
                .setMessage(response).build();

        JsonNode event = json.readTree(renderer.render(envelope(dnstap.toByteArray(), Transport.TCP, "192.0.2.1", 1)));

        assertThat(event.get("time").toString()).isEqualTo("101.150000");
        JsonNode e = event.get("event");
        assertThat(e.get("duration").toString()).isEqualTo("0.250000");
        assertThat(e.get("transport").asText()).isEqualTo("doh");
        assertThat(e.get("http_protocol").asText()).isEqualTo("HTTP2");
        assertThat(e.get("src").asText()).isEqualTo("2001:db8::1");
        assertThat(e.get("dest").asText()).isEqualTo("::");
        assertThat(e.get("query_zone").asText()).isEqualTo("example");
        assertThat(e.get("policy").toString())
                .isEqualTo("{\"type\":\"RPZ\",\"action\":\"NXDOMAIN\",\"match\":\"CLIENT_IP\",\"value\":\"192.0.2.1\"}");
        assertThat(e.get("reply_code").asText()).isEqualTo("NOERROR");
    }

    @Test
    void writesTheIndexOnlyWhenOneIsConfigured() throws Exception {
        HecEventRenderer withIndex = new HecEventRenderer(new HecEventRenderer.Settings("dns:tap", "dns"));

        JsonNode event = json.readTree(withIndex.render(envelope(firstFrame(), Transport.UNIX, "/s", 0)));
        JsonNode without = json.readTree(renderer.render(envelope(firstFrame(), Transport.UNIX, "/s", 0)));

        assertThat(event.get("index").asText()).isEqualTo("dns");
        assertThat(event.get("sourcetype").asText()).isEqualTo("dns:tap");
        assertThat(without.has("index")).isFalse();
    }

    private static Message.Builder message(Message.Type type) {
        return Message.newBuilder().setType(type);
    }

    private static byte[] wrap(Dnstap dnstap) {
        return dnstap.toByteArray();
    }

    private static byte[] validQuery() throws Exception {
        org.xbill.DNS.Message query = org.xbill.DNS.Message.newQuery(
                org.xbill.DNS.Record.newRecord(Name.fromConstantString("www.example."), Type.A, DClass.IN));
        return query.toWire();
    }

    private static byte[] firstFrame() throws Exception {
        return FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE).get(0);
    }

    static DnstapEvent envelope(byte[] frame, Transport transport, String peer, int port) {
        return DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame)).setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE)
                .setCollectorId("collector-1").setConnectionId(7).setTransport(transport).setPeerAddress(peer)
                .setPeerPort(port).setReceivedAtNs(RECEIVED_AT).build();
    }
}
