package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.collector.CollectorConfig;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.HecConfig;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.KafkaCluster;
import io.dnstapforwarder.testkit.TestKafka;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The pipeline on a replicated cluster (three brokers, replication 3, min.insync.replicas 2) under
 * load: the leader of a partition both services use is killed with SIGKILL and comes back, then the
 * whole cluster is killed and started again. Every frame the collector read reaches HEC, Kafka
 * holds each exactly once (the idempotent producer), the shipper sends again only what was in
 * flight, and both services recover by themselves.
 */
@Timeout(600)
class ClusterFaultsIT {

    private static final String TOKEN = "8f6a3c2e-0000-4000-8000-000000000015";
    private static final int BATCH = 100;
    private static final int CONCURRENCY = 4;
    private static final int PARTITIONS = 3;
    /** 20 frames every 10 ms: 2,000 frames/s, a busy resolver's pace; at most this many in all. */
    private static final int MAX_FRAMES = 200_000;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void losesNothingWhenALeaderIsKilledAndWhenTheWholeClusterRestarts() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("cluster")); HecEmulator hec = HecEmulator.start(TOKEN)) {
            cluster.createTopic("events", PARTITIONS);
            cluster.createTopic("events.dlq", 1);
            Path socket = dir.resolve("dnstap.sock");
            try (Collector collector = Collector.start(new CollectorConfig("cluster", CollectorConfig.Listen.unix(socket),
                    CollectorConfig.Limits.DEFAULTS, cluster.bootstrapServers(), "events", Map.of(),
                    CollectorConfig.Monitoring.at(new HostPort("127.0.0.1", 0)), PartitionKey.NONE));
                    Shipper shipper = Shipper.start(ShipperConfig.builder("cluster",
                            new ShipperConfig.Kafka(cluster.bootstrapServers(), "events", "dnstap-cluster", "events.dlq",
                                    Map.of()), dir.resolve("shipper"))
                            .hec(HecConfig.to(hec.url(), TOKEN).withConcurrency(CONCURRENCY))
                            .batching(new ShipperConfig.Batching(BATCH, 1_000_000, Duration.ofMillis(200)))
                            .monitoring(new HostPort("127.0.0.1", 0)).build())) {
                await().atMost(WAIT).until(() -> collector.readiness().ready() && shipper.readiness().ready());
                AtomicBoolean sending = new AtomicBoolean(true);
                AtomicInteger sent = new AtomicInteger();
                CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> send(socket, sending, sent));

                await().atMost(WAIT).until(() -> hec.eventCount() > 5_000);
                int leader = cluster.leaderOf("events", 0);
                cluster.kill(leader);
                int atKill = sent.get();
                await().atMost(WAIT).until(() -> sent.get() > atKill + 10_000); // the collector goes on reading
                await().atMost(WAIT).until(() -> cluster.leaderOf("events", 0) != leader);
                cluster.startNode(leader);
                cluster.awaitBrokers(3);
                int afterLeader = sent.get();
                await().atMost(WAIT).until(() -> sent.get() > afterLeader + 5_000);

                for (int node : cluster.nodeIds()) {
                    cluster.kill(node);
                }
                TimeUnit.SECONDS.sleep(5); // the services find every broker gone
                assertThat(collector.readiness().ready()).as("the collector says Kafka is gone").isFalse();
                for (int node : cluster.nodeIds()) {
                    cluster.startNode(node);
                }
                cluster.awaitBrokers(3);
                int afterRestart = sent.get();
                await().atMost(WAIT).until(() -> sent.get() > afterRestart + 5_000);
                sending.set(false);
                sender.get(60, TimeUnit.SECONDS);

                int total = sent.get();
                await().atMost(WAIT).until(() -> distinct(hec.events()).size() == total);
                assertThat(distinct(hec.events())).isEqualTo(range(total));
                await().atMost(WAIT).until(() -> collector.readiness().ready() && shipper.readiness().ready());
                List<ConsumerRecord<byte[], byte[]>> inKafka = TestKafka.read(cluster.bootstrapServers(), "events",
                        total + 1, Duration.ofSeconds(20));
                assertThat(inKafka).as("each frame once in Kafka: no producer retry duplicated one").hasSize(total);
                int duplicates = hec.eventCount() - total;
                LoggerFactory.getLogger(ClusterFaultsIT.class).info("{} frames sent and delivered through the kill of "
                        + "node {} (leader of events-0) and a whole-cluster restart; {} sent twice to HEC", total, leader,
                        duplicates);
                // Each fault may send again, for each partition, what was in flight: two batches per
                // worker and the batch being filled.
                int inFlight = (CONCURRENCY * 2 + 1) * BATCH * PARTITIONS;
                assertThat(duplicates).as("sent twice").isLessThanOrEqualTo(2 * inFlight);
            }
        }
    }

    /** Writes "frame-N" frames at 2,000/s over one connection until told to stop. */
    private static void send(Path socket, AtomicBoolean sending, AtomicInteger sent) {
        try (SocketChannel channel = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket));
                FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, true)) {
            long next = System.nanoTime();
            while (sending.get() && sent.get() < MAX_FRAMES) {
                for (int i = 0; i < 20; i++) {
                    writer.write(("frame-" + sent.get()).getBytes(StandardCharsets.US_ASCII));
                    sent.incrementAndGet();
                }
                writer.flush();
                next += TimeUnit.MILLISECONDS.toNanos(10);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("sending failed after " + sent.get() + " frames", e);
        }
    }

    private static Set<Integer> distinct(List<JsonNode> events) {
        Set<Integer> numbers = new HashSet<>();
        for (JsonNode event : events) {
            String frame = new String(Base64.getDecoder().decode(event.at("/event/raw_frame").asText()),
                    StandardCharsets.US_ASCII);
            numbers.add(Integer.parseInt(frame.substring("frame-".length())));
        }
        return numbers;
    }

    private static Set<Integer> range(int total) {
        Set<Integer> numbers = new HashSet<>();
        for (int i = 0; i < total; i++) {
            numbers.add(i);
        }
        return numbers;
    }
}
