package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.HostileFrames;
import io.dnstapforwarder.testkit.ReferenceComparison;
import io.dnstapforwarder.testkit.ReferenceDecode;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile corpus ({@code testdata/hostile.fstrm}) mixed into the real Unbound capture, sent
 * over a Unix socket and over TCP, through collector, Kafka and shipper into the strict HEC
 * emulator: every real message arrives exactly once and as the reference decoder reads it, every
 * hostile frame becomes an event or a dead letter, and the shipper ends ready with no failed batch.
 */
@Timeout(180)
class HostileInputEndToEndTest {

    private static final String TOKEN = "5d6a3c2e-0000-4000-8000-0000000b0d1e";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final HecEmulator hec = HecEmulator.start(TOKEN);
    private TestPipeline pipeline;

    @BeforeEach
    void start() throws Exception {
        pipeline = TestPipeline.start("hostile", dir, hec, true);
    }

    @AfterEach
    void stop() {
        pipeline.close();
        hec.close();
    }

    @Test
    void deliversEveryRealMessageOnceAndEveryHostileFrameAsAnEventOrADeadLetterOverUnixAndTcp() throws Exception {
        List<byte[]> real = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        List<byte[]> hostile = HostileFrames.read();
        send(mix(real, hostile), pipeline.unixSocket());
        send(mix(real, hostile), pipeline.tcp());

        int expectedReal = 2 * real.size();
        await().atMost(WAIT).until(() -> realEvents().size() == expectedReal
                && hostileEvents().size() + deadLettered() == 2 * hostile.size());
        List<ReferenceDecode.Message> reference = ReferenceDecode.unboundSmall();
        Map<String, ReferenceDecode.Message> byKey = new HashMap<>();
        reference.forEach(message -> byKey.put(ReferenceComparison.key(message), message));
        List<String> twice = new ArrayList<>(byKey.keySet());
        twice.addAll(byKey.keySet());
        assertThat(realEvents().stream().map(ReferenceComparison::key)).as("each real message once per connection")
                .containsExactlyInAnyOrderElementsOf(twice);
        for (JsonNode event : realEvents()) {
            ReferenceComparison.assertMatches(event, byKey.get(ReferenceComparison.key(event)), "dnstap");
        }
        assertThat(hostileEvents().size() + deadLettered()).isEqualTo(2 * hostile.size());
        assertThat(hostileEvents()).allSatisfy(event -> assertThat(event.get("time").decimalValue())
                .isBetween(java.math.BigDecimal.ZERO, java.math.BigDecimal.valueOf(4_102_444_800L)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/ready").statusCode()).isEqualTo(200));
        String metrics = get("/metrics").body();
        assertThat(metrics).doesNotContain("error_type=\"delivery_failed\"").doesNotContain("error_type=\"render_failed\"");
        assertThat(pipeline.shipper.liveness().ready()).isTrue();
    }

    /** The real frames with a hostile one after every 30th. */
    private static List<byte[]> mix(List<byte[]> real, List<byte[]> hostile) {
        List<byte[]> mixed = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < real.size(); i++) {
            mixed.add(real.get(i));
            if (i % 30 == 29 && next < hostile.size()) {
                mixed.add(hostile.get(next++));
            }
        }
        mixed.addAll(hostile.subList(next, hostile.size()));
        return mixed;
    }

    private static void send(List<byte[]> frames, SocketAddress address) throws Exception {
        try (SocketChannel channel = FrameStreamTestClient.connect(address);
                FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, true)) {
            for (byte[] frame : frames) {
                writer.write(frame);
            }
        }
    }

    private List<JsonNode> realEvents() {
        return hec.events().stream().filter(event -> "unbound-test".equals(event.at("/event/identity").asText())).toList();
    }

    private List<JsonNode> hostileEvents() {
        return hec.events().stream().filter(event -> !"unbound-test".equals(event.at("/event/identity").asText())).toList();
    }

    private long deadLettered() {
        return TestKafka.endOffsets(pipeline.deadLetterTopic).values().stream().mapToLong(Long::longValue).sum();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + pipeline.shipper.monitoringPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
