package io.dnstapforwarder.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.TopicOptions;
import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.kafka.Topics;
import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import io.dnstapforwarder.testkit.LogLines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * A collector pointed at a Kafka without its topic (auto-creation off, as production brokers
 * run) says so, with the command that creates it, instead of "Kafka is unreachable"; and
 * {@code --create-topics} creates it with the settings asked for, once.
 */
@Timeout(120)
class MissingTopicTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Command(name = "topics")
    static class WithTopicOptions {
        @Mixin
        TopicOptions topics;
    }

    @Test
    void saysTheTopicIsMissingAndHowToCreateItThenCreatesItWhenAsked() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0,
                Map.of("auto.create.topics.enable", "false"));
                LogLines lines = LogLines.of(Collector.class);
                Collector collector = Collector.start(new CollectorConfig("missing-topic",
                        CollectorConfig.Listen.unix(dir.resolve("dnstap.sock")), CollectorConfig.Limits.DEFAULTS,
                        kafka.bootstrapServers(), "dns.events", Map.of(), CollectorConfig.Monitoring.at(null), PartitionKey.NONE))) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(collector.readiness().checks().get("kafka").toString())
                    .contains("topic dns.events does not exist in Kafka at " + kafka.bootstrapServers(),
                            "kafka-topics.sh --bootstrap-server " + kafka.bootstrapServers() + " --create --topic dns.events",
                            "--create-topics"));
            assertThat(collector.readiness().ready()).isFalse();
            await().atMost(WAIT).untilAsserted(() -> assertThat(lines.messages()).anySatisfy(line -> assertThat(line)
                    .startsWith("Cannot publish: topic dns.events does not exist")));
            assertThat(lines.messages()).noneSatisfy(line -> assertThat(line).contains("unreachable"));

            WithTopicOptions options = new WithTopicOptions();
            new CommandLine(options).parseArgs("--create-topics", "--topic-partitions", "4", "--topic-retention-hours", "2");
            Map<String, Object> admin = KafkaSettings.admin(kafka.bootstrapServers(), "topics-test", Map.of());
            assertThat(options.topics.create()).isTrue();
            assertThat(Topics.createMissing(admin, List.of(options.topics.events("dns.events"),
                    options.topics.deadLetters("dns.dlq")))).containsExactly("dns.events", "dns.dlq");
            assertThat(Topics.createMissing(admin, List.of(options.topics.events("dns.events")))).as("once").isEmpty();

            try (Admin client = Admin.create(admin)) {
                TopicDescription events = client.describeTopics(List.of("dns.events")).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get("dns.events");
                assertThat(events.partitions()).hasSize(4);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "dns.events");
                Config config = client.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
                assertThat(config.get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofHours(2).toMillis()));
            }
            await().atMost(WAIT).until(() -> collector.readiness().ready());
        }
    }
}
