package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.ReferenceComparison;
import io.dnstapforwarder.testkit.ReferenceDecode;
import io.dnstapforwarder.testkit.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with real parts: a real Unbound capture over a real socket into the collector,
 * through a real Kafka broker, out of the shipper into the strict HEC emulator; every event
 * compared, field by field, with what the reference decoder (dnstap-ldns) reads in the capture.
 */
@Timeout(120)
class PipelineEndToEndTest {

    private static final String TOKEN = "5d6a3c2e-0000-4000-8000-00000000e2e0";

    @TempDir
    Path dir;

    private final HecEmulator hec = HecEmulator.start(TOKEN);
    private TestPipeline pipeline;

    @BeforeEach
    void start() throws Exception {
        pipeline = TestPipeline.start("e2e", dir, hec, false);
    }

    @AfterEach
    void stop() {
        pipeline.close();
        hec.close();
    }

    @Test
    void deliversEveryMessageSentOverAUnixSocketExactlyAsTheReferenceDecoderReadsIt() throws Exception {
        FrameStreamTestClient.replay(TestData.path(TestData.UNBOUND_SMALL), pipeline.unixSocket(), true);

        assertEveryMessageArrivedAsTheReferenceSays();
    }

    @Test
    void deliversEveryMessageSentOverTcpExactlyAsTheReferenceDecoderReadsIt() throws Exception {
        FrameStreamTestClient.replay(TestData.path(TestData.UNBOUND_SMALL), pipeline.tcp(), false);

        assertEveryMessageArrivedAsTheReferenceSays();
    }

    private void assertEveryMessageArrivedAsTheReferenceSays() throws Exception {
        List<ReferenceDecode.Message> reference = ReferenceDecode.unboundSmall();
        Map<String, ReferenceDecode.Message> byKey = new HashMap<>();
        reference.forEach(message -> byKey.put(ReferenceComparison.key(message), message));
        assertThat(byKey).as("the key tells every message apart").hasSize(reference.size());

        List<JsonNode> events = hec.awaitEvents(reference.size(), Duration.ofSeconds(60));

        assertThat(events).hasSize(652);
        assertThat(events.stream().map(ReferenceComparison::key)).containsExactlyInAnyOrderElementsOf(byKey.keySet());
        for (JsonNode event : events) {
            ReferenceComparison.assertMatches(event, byKey.get(ReferenceComparison.key(event)), "dnstap");
        }
        assertThat(hec.requests()).allSatisfy(request -> {
            assertThat(request.header("Authorization")).isEqualTo("Splunk " + TOKEN);
            assertThat(request.status()).isEqualTo(200);
        });
    }
}
