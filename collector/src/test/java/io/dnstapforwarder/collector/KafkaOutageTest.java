package io.dnstapforwarder.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.RestartableKafka;
import io.dnstapforwarder.testkit.TestKafka;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kafka goes away under load and comes back: the collector holds, stops reading, and resumes by itself. */
@Timeout(300)
class KafkaOutageTest {

    private static final int FRAMES = 30_000;
    private static final int BUDGET = 256 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private RestartableKafka kafka;
    private Collector collector;

    @AfterEach
    void tearDown() {
        if (collector != null) {
            collector.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void holdsWhatItReadWhileKafkaIsDownStopsReadingAtItsBudgetAndResumesByItself() throws Exception {
        kafka = RestartableKafka.start(dir.resolve("kafka"));
        kafka.createTopic("outage", 3);
        Path socket = dir.resolve("dnstap.sock");
        collector = Collector.start(new CollectorConfig("outage", CollectorConfig.Listen.unix(socket),
                CollectorConfig.Limits.DEFAULTS.withMaxFrameBytes(64 * 1024).withPublishBufferBytes(BUDGET)
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)),
                kafka.bootstrapServers(), "outage", Map.of(), CollectorConfig.Monitoring.at(new HostPort("127.0.0.1", 0)), PartitionKey.NONE));
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> send(socket, sent));
        await().atMost(WAIT).until(() -> stats().at("/frames/published").asLong() >= 3_000);

        kafka.stop();

        await().atMost(WAIT).until(() -> get("/ready").statusCode() == 503);
        await().atMost(WAIT).until(() -> stats().get("publish_outstanding_bytes").asLong() > BUDGET * 0.9);
        long stalledAt = sent.get();
        TimeUnit.SECONDS.sleep(3); // longer than the idle timeout; the sender keeps trying to write meanwhile
        assertThat(sent.get()).as("the collector stopped reading: the sender is blocked").isEqualTo(stalledAt);
        assertThat(stalledAt).isLessThan(FRAMES);
        assertThat(stats().get("publish_outstanding_bytes").asLong()).isLessThanOrEqualTo(BUDGET);
        assertThat(stats().at("/connection_counts/active").asInt()).as("waiting for Kafka is not idleness").isEqualTo(1);

        kafka.restart();

        await().atMost(WAIT).until(() -> get("/ready").statusCode() == 200);
        sender.get(120, TimeUnit.SECONDS);
        Set<String> received = new HashSet<>();
        TestKafka.read(kafka.bootstrapServers(), "outage", FRAMES, WAIT).forEach(record -> received.add(frameOf(record.value())));
        assertThat(received).hasSize(FRAMES).contains(frame(0), frame(FRAMES - 1));
    }

    /** A paced sender of distinct frames, counting what the socket took. */
    private static void send(Path socket, AtomicLong sent) {
        try (SocketChannel channel = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket));
                FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, true, 4096)) {
            for (int i = 0; i < FRAMES; i++) {
                writer.write(frame(i).getBytes(StandardCharsets.US_ASCII));
                if (i % 50 == 49) {
                    writer.flush();
                    sent.set(i + 1);
                    TimeUnit.MILLISECONDS.sleep(5);
                }
            }
            writer.flush();
            sent.set(FRAMES);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String frame(int index) {
        return String.format("frame-%08d-%s", index, "x".repeat(180));
    }

    private static String frameOf(byte[] value) {
        try {
            return DnstapEvent.parseFrom(value).getFrame().toString(StandardCharsets.US_ASCII);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private JsonNode stats() throws Exception {
        return new ObjectMapper().readTree(get("/stats").body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + collector.monitoringPort() + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
