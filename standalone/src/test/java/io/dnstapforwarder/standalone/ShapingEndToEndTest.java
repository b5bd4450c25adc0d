package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.shipper.render.ClientPrivacy;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.shipper.shape.Shaping;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.ReferenceDecode;
import io.dnstapforwarder.testkit.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shaping through the whole pipeline: the capture sent to the collector's socket, shaped by the
 * shipper on its way to HEC. HEC gets exactly what the rules let through, with the profile's
 * fields and the clients' pseudonyms, /metrics counts what was dropped by rule, and a change of
 * the live shaping file applies without a restart.
 */
@Timeout(120)
class ShapingEndToEndTest {

    private static final String TOKEN = "8f6a3c2e-0000-4000-8000-000000000151";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void sendsOnlyTheResponsesTheRulesKeepWithTheCimFieldsAndCountsTheRestByRule() throws Exception {
        List<ReferenceDecode.Message> reference = ReferenceDecode.unboundSmall();
        long queries = reference.stream().filter(message -> message.type().endsWith("_QUERY")).count();
        long aaaaResponses = reference.stream().filter(message -> !message.type().endsWith("_QUERY")
                && message.dns().questionType().equals("AAAA")).count();
        long expected = reference.size() - queries - aaaaResponses;
        Shaping shaping = Shaping.builder().profile(EventProfile.CIM).responsesOnly(true).dropQueryTypes(List.of("AAAA"))
                .build();

        try (HecEmulator hec = HecEmulator.start(TOKEN);
                TestPipeline pipeline = TestPipeline.start("shaping", dir, hec, true, shaping)) {
            FrameStreamTestClient.send(FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL),
                    DnstapEvents.DNSTAP_CONTENT_TYPE), pipeline.unixSocket(), true);

            await().atMost(WAIT).until(() -> hec.eventCount() >= expected && metrics(pipeline).contains(
                    "reason=\"query_type\"} " + aaaaResponses + ".0"));
            List<JsonNode> events = hec.events();
            assertThat(events).hasSize((int) expected);
            Set<String> fields = new TreeSet<>();
            events.forEach(event -> event.get("event").fieldNames().forEachRemaining(fields::add));
            // version stays: the add-on names the data model's vendor_product from it.
            assertThat(fields).doesNotContain("answers", "edns", "collector", "flags", "identity")
                    .contains("query", "reply_code", "answer", "record_type", "transaction_id", "version");
            assertThat(events).allSatisfy(event -> {
                assertThat(event.at("/event/message_type").asText()).isEqualTo("Response");
                assertThat(event.at("/event/query_type").asText()).isNotEqualTo("AAAA");
            });
            assertThat(metrics(pipeline))
                    .contains("dnstap_shipper_dropped_events_total{component_id=\"shaping-shipper\",component_kind="
                            + "\"shipper\",reason=\"message_type\"} " + queries + ".0")
                    .contains("reason=\"query_type\"} " + aaaaResponses + ".0")
                    .as("every record counted for its DNS server, dropped or not").contains(
                            "dnstap_shipper_server_events_total{component_id=\"shaping-shipper\",component_kind=\"shipper\","
                                    + "server=\"unbound-test\"} " + reference.size() + ".0");
        }
    }

    @Test
    void samplesOneInFourMarkingEachEventSoThatCountsCanBeScaledBack() throws Exception {
        Shaping shaping = Shaping.builder().profile(EventProfile.COMPACT).sampleRate(4).build();

        try (HecEmulator hec = HecEmulator.start(TOKEN);
                TestPipeline pipeline = TestPipeline.start("sampling", dir, hec, true, shaping)) {
            List<byte[]> capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL),
                    DnstapEvents.DNSTAP_CONTENT_TYPE);
            FrameStreamTestClient.send(capture, pipeline.unixSocket(), true);

            await().atMost(WAIT).until(() -> metrics(pipeline).contains("reason=\"sampled\"}")
                    && hec.eventCount() + sampled(pipeline) == capture.size());
            assertThat(hec.events()).allSatisfy(event -> assertThat(event.at("/event/sample_rate").asInt()).isEqualTo(4));
            assertThat((double) hec.eventCount() / capture.size()).isBetween(0.15, 0.40);
        }
    }

    @Test
    void appliesASuffixFilterAndPseudonymsFromTheLiveFileAndTakesItsChangeWithoutARestart() throws Exception {
        List<ReferenceDecode.Message> reference = ReferenceDecode.unboundSmall();
        long underTestExample = reference.stream().filter(message -> message.dns().questionName().toLowerCase(
                Locale.ROOT).endsWith("test.example.")).count();
        Path key = Files.writeString(dir.resolve("privacy.key"), "0123456789abcdef0123456789abcdef");
        Path live = Files.writeString(dir.resolve("shaping.properties"), "drop-query-suffix = TEST.example\n");
        Shaping shaping = Shaping.builder().liveFile(live).serverMetrics(100)
                .privacy(ClientPrivacy.of("pseudonymize", 24, 56, key)).build();
        List<byte[]> capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL),
                DnstapEvents.DNSTAP_CONTENT_TYPE);

        try (HecEmulator hec = HecEmulator.start(TOKEN);
                TestPipeline pipeline = TestPipeline.start("live", dir, hec, true, shaping)) {
            FrameStreamTestClient.send(capture, pipeline.unixSocket(), true);
            await().atMost(WAIT).until(() -> metrics(pipeline).contains("reason=\"query_suffix\"} " + underTestExample
                    + ".0") && hec.eventCount() == capture.size() - underTestExample);
            assertThat(hec.events()).allSatisfy(event -> {
                assertThat(event.at("/event/query").asText().toLowerCase(Locale.ROOT)).doesNotEndWith("test.example");
                assertThat(event.at("/event/src").asText()).matches("[0-9a-f]{16}");
            });

            Files.writeString(live, "event-profile = compact\n");
            Files.setLastModifiedTime(live, FileTime.from(
                    Instant.now().plusSeconds(5)));
            await().atMost(WAIT).until(() -> metrics(pipeline).lines().anyMatch(line -> line.startsWith(
                    "dnstap_shipper_shaping_reloads_total") && line.endsWith(" 1.0"))); // read again, in force
            int before = hec.eventCount();
            FrameStreamTestClient.send(capture, pipeline.unixSocket(), true);

            await().atMost(WAIT).until(() -> hec.eventCount() == before + capture.size());
            assertThat(hec.events().subList(before, hec.eventCount())).allSatisfy(event -> {
                assertThat(event.at("/event").has("collector")).as("compact now").isFalse();
                assertThat(event.at("/event/src").asText()).matches("[0-9a-f]{16}");
            });
        }
    }

    private static long sampled(TestPipeline pipeline) throws Exception {
        return metrics(pipeline).lines().filter(line -> line.startsWith("dnstap_shipper_dropped_events_total")
                && line.contains("reason=\"sampled\"")).mapToLong(line -> (long) Double.parseDouble(
                        line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static String metrics(TestPipeline pipeline) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + pipeline.shipper.monitoringPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
