package io.dnstapforwarder.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import io.dnstapforwarder.testkit.HecEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shipper whose topic does not exist (auto-creation off, as production brokers run) is not
 * ready and says why, with the command that creates the topic, instead of waiting for partitions
 * without a word.
 */
@Timeout(120)
class MissingTopicTest {

    @TempDir
    Path dir;

    @Test
    void isNotReadyAndNamesTheMissingTopicAndHowToCreateIt() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0,
                Map.of("auto.create.topics.enable", "false"));
                HecEmulator hec = HecEmulator.start("missing-topic-token");
                Shipper shipper = Shipper.start(ShipperConfig.builder("missing-topic", new ShipperConfig.Kafka(kafka.bootstrapServers(),
                        "dns.events", "missing-topic-group", "dns.dlq", Map.of()), dir.resolve("data"))
                        .hec(HecConfig.to(hec.url(), hec.token())).build())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(shipper.readiness().ready()).isFalse();
                assertThat(shipper.readiness().checks().get("consuming").toString())
                        .contains("topic dns.events does not exist in Kafka at " + kafka.bootstrapServers(),
                                "--create-topics");
            });
        }
    }
}
