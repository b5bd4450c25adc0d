package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.collector.CollectorConfig;
import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.HecConfig;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.LogLines;
import io.dnstapforwarder.testkit.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka settings chosen for efficiency at a DNS server's pace (docs/PERFORMANCE.md, "At a
 * DNS server's pace") are the ones the services run with: read from what the Kafka clients
 * themselves log when they are created (Kafka logs them from AbstractConfig), and from what the embedded broker reports, not from the
 * maps this project builds. An override, a later {@code putAll} or a renamed key would show here.
 */
@Timeout(120)
class KafkaSettingsInUseTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final HecEmulator hec = HecEmulator.start("settings-token");

    @AfterEach
    void stopHec() {
        hec.close();
    }

    @Test
    void collectorProducerLingersForItsLatencyBudget() throws Exception {
        assertThat(producerSettings(CollectorConfig.Limits.DEFAULTS, "default"))
                .contains("linger.ms = 100", "batch.size = 262144", "compression.type = lz4", "acks = -1",
                        "enable.idempotence = true");
        assertThat(producerSettings(CollectorConfig.Limits.DEFAULTS.withMaxLatency(Duration.ofMillis(20)), "tight"))
                .contains("linger.ms = 20");
    }

    @Test
    void shipperConsumerWaitsForDataWithinTheFlushInterval() throws Exception {
        assertThat(consumerSettings(ShipperConfig.Batching.DEFAULTS, "default"))
                .contains("fetch.min.bytes = 1048576", "fetch.max.wait.ms = 500", "max.poll.records = 2000",
                        "enable.auto.commit = false");
        assertThat(consumerSettings(new ShipperConfig.Batching(1000, 1_000_000, Duration.ofMillis(200)), "quick"))
                .contains("fetch.max.wait.ms = 100");
    }

    @Test
    void embeddedBrokerStaysQuietWhenIdle() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0, Map.of());
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
            assertThat(config.get("metadata.max.idle.interval.ms").value()).isEqualTo("10000");
            assertThat(config.get("broker.heartbeat.interval.ms").value()).isEqualTo("2000");
        }
    }

    /** The settings line the producer of a collector with these limits logged. */
    private String producerSettings(CollectorConfig.Limits limits, String id) throws Exception {
        String collectorId = "settings-" + id;
        try (LogLines lines = LogLines.atInfo(AbstractConfig.class);
                Collector collector = Collector.start(new CollectorConfig(collectorId,
                        CollectorConfig.Listen.unix(dir.resolve(id + ".sock")), limits,
                        TestKafka.bootstrapServers(), TestKafka.uniqueTopic("settings"), Map.of(),
                        CollectorConfig.Monitoring.at(null), PartitionKey.NONE))) {
            return settingsOf(lines, "client.id = dnstap-collector-" + collectorId);
        }
    }

    /** The settings line the consumer of a shipper with this batching logged. */
    private String consumerSettings(ShipperConfig.Batching batching, String id) throws Exception {
        String group = TestKafka.uniqueTopic("settings-" + id);
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("settings"), 1);
        try (LogLines lines = LogLines.atInfo(AbstractConfig.class);
                Shipper shipper = Shipper.start(ShipperConfig.builder("settings-" + id,
                        new ShipperConfig.Kafka(TestKafka.bootstrapServers(), topic, group, topic + "-dlq", Map.of()),
                        dir.resolve(id)).hec(HecConfig.to(hec.url(), hec.token())).batching(batching).build())) {
            return settingsOf(lines, "group.id = " + group);
        }
    }

    private static String settingsOf(LogLines lines, String owner) {
        await().atMost(WAIT).until(() -> lines.messages().stream().anyMatch(line -> line.contains(owner)));
        return lines.messages().stream().filter(line -> line.contains(owner)).findFirst().orElseThrow();
    }
}
