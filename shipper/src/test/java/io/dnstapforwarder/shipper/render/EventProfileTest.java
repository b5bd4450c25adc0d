package io.dnstapforwarder.shipper.render;

import static io.dnstapforwarder.shipper.render.HecEventRendererTest.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestData;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What each profile sends, and its size, on every message of the Unbound capture. */
class EventProfileTest {

    private static List<byte[]> capture;
    private final ObjectMapper json = Json.exactDecimals();

    @BeforeAll
    static void readCapture() throws Exception {
        capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
    }

    @Test
    void cimKeepsWhatTheDataModelUsesOnceAndFitsIn500BytesPerEvent() throws Exception {
        List<JsonNode> events = render(EventProfile.CIM);

        // 437 before event_id, which every profile carries (30 bytes): dedup needs it whatever the license;
        // and the server's version (27 bytes), which the add-on turns into the data model's vendor_product.
        assertThat(averageBytes(EventProfile.CIM)).as("bytes per event, whole HEC event").isLessThanOrEqualTo(500);
        assertThat(fieldsOf(events)).containsExactlyInAnyOrder("dnstap_type", "message_type", "transport", "src",
                "src_port", "dest", "transaction_id", "query", "query_type", "query_count", "reply_code",
                "reply_code_id", "answer", "ttl", "record_type", "answer_count", "authority_answer_count",
                "additional_answer_count", "event_id", "version");
    }

    @Test
    void compactSaysWhoAskedWhatAndWhatCameBackInAtMost255BytesPerEvent() throws Exception {
        List<JsonNode> events = render(EventProfile.COMPACT);

        // 223 before event_id (30 bytes).
        assertThat(averageBytes(EventProfile.COMPACT)).as("bytes per event, whole HEC event").isLessThanOrEqualTo(255);
        assertThat(fieldsOf(events)).containsExactlyInAnyOrder("message_type", "src", "query", "query_type", "reply_code",
                "answer", "event_id");
    }

    @Test
    void everyProfileAgreesWithFullOnTheFieldsItKeeps() throws Exception {
        List<JsonNode> full = render(EventProfile.FULL);
        for (EventProfile profile : List.of(EventProfile.CIM, EventProfile.COMPACT)) {
            List<JsonNode> shaped = render(profile);
            for (int i = 0; i < full.size(); i++) {
                JsonNode kept = shaped.get(i);
                assertThat(kept.get("time")).isEqualTo(full.get(i).get("time"));
                assertThat(kept.get("host")).isEqualTo(full.get(i).get("host"));
                for (Iterator<String> names = kept.get("event").fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    assertThat(kept.at("/event/" + name)).as(profile + " " + name).isEqualTo(full.get(i).at("/event/" + name));
                }
            }
        }
    }

    @Test
    void cimKeepsTheDurationOfAResponseThatCarriesBothTimes() throws Exception {
        io.dnstapforwarder.dnstap.Message.Builder message = io.dnstapforwarder.dnstap.Message.newBuilder()
                .setType(io.dnstapforwarder.dnstap.Message.Type.CLIENT_RESPONSE).setQueryTimeSec(1_795_964_864L)
                .setQueryTimeNsec(100_000_000).setResponseTimeSec(1_795_964_864L).setResponseTimeNsec(101_250_000);
        byte[] frame = io.dnstapforwarder.dnstap.Dnstap.newBuilder().setType(io.dnstapforwarder.dnstap.Dnstap.Type.MESSAGE)
                .setMessage(message).build().toByteArray();

        JsonNode event = json.readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null,
                EventProfile.CIM)).render(envelope(frame, Transport.UNIX, "/s", 0)));

        assertThat(event.at("/event/duration").decimalValue()).isEqualByComparingTo("0.00125");
        assertThat(event.at("/event").has("query_timestamp")).isFalse();
    }

    @Test
    void keepsAMessageThatDoesNotDecodeRawInEveryProfile() throws Exception {
        byte[] broken = io.dnstapforwarder.dnstap.Dnstap.newBuilder().setType(io.dnstapforwarder.dnstap.Dnstap.Type.MESSAGE)
                .setMessage(io.dnstapforwarder.dnstap.Message.newBuilder()
                        .setType(io.dnstapforwarder.dnstap.Message.Type.CLIENT_RESPONSE)
                        .setResponseMessage(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3}))).build()
                .toByteArray();
        for (EventProfile profile : EventProfile.values()) {
            JsonNode event = json.readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile))
                    .render(envelope(broken, Transport.UNIX, "/s", 0)));

            assertThat(event.at("/event/parse_error").asText()).as(profile.optionName()).startsWith("DNS message:");
            assertThat(event.at("/event/raw_message").asText()).isEqualTo("AQID");
        }
    }

    @Test
    void fullIsTheDefaultAndTheLargest() {
        assertThat(new HecEventRenderer.Settings("dnstap", null).profile()).isEqualTo(EventProfile.FULL);
        assertThat(averageBytes(EventProfile.FULL)).isGreaterThan(averageBytes(EventProfile.CIM));
        assertThat(averageBytes(EventProfile.CIM)).isGreaterThan(averageBytes(EventProfile.COMPACT));
    }

    /** The mean size of the capture's events in {@code profile}, whole HEC events (as HEC receives them). */
    static double averageBytes(EventProfile profile) {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile));
        long bytes = 0;
        for (byte[] frame : capture) {
            bytes += renderer.render(envelope(frame, Transport.UNIX, "/run/dnstap.sock", 0)).length;
        }
        return (double) bytes / capture.size();
    }

    private List<JsonNode> render(EventProfile profile) throws Exception {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile));
        List<JsonNode> events = new ArrayList<>();
        for (byte[] frame : capture) {
            events.add(json.readTree(renderer.render(envelope(frame, Transport.UNIX, "/run/dnstap.sock", 0))));
        }
        return events;
    }

    private static Set<String> fieldsOf(List<JsonNode> events) {
        Set<String> fields = new TreeSet<>();
        events.forEach(event -> event.get("event").fieldNames().forEachRemaining(fields::add));
        return fields;
    }
}
