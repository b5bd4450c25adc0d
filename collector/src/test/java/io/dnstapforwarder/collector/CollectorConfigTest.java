package io.dnstapforwarder.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The collector's configuration validates itself, naming the option. */
class CollectorConfigTest {

    private static CollectorConfig config(int maxFrameBytes, Map<String, String> kafkaProperties) {
        return new CollectorConfig("c", CollectorConfig.Listen.unix(Path.of("d.sock")),
                CollectorConfig.Limits.DEFAULTS.withMaxFrameBytes(maxFrameBytes), "127.0.0.1:9092", "t", kafkaProperties,
                CollectorConfig.Monitoring.at(null), PartitionKey.NONE);
    }

    @Test
    void refusesAFrameLimitThatKafkaCouldNeverTake() {
        assertThatThrownBy(() -> config(262_144, Map.of("max.request.size", "200000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value for --max-frame-bytes (DNSTAP_MAX_FRAME_BYTES): '262144' with its envelope "
                        + "(1024 bytes) does not fit the Kafka producer's max.request.size (200000): such a frame could "
                        + "never be published. Lower it, or raise max.request.size with --kafka-property (and the topic's "
                        + "max.message.bytes)");
        assertThatThrownBy(() -> config(1_048_576, Map.of())).hasMessageContaining("max.request.size (1048576)");
    }

    @Test
    void takesAFrameLimitThatFits() {
        assertThat(config(1_048_576 - 1024, Map.of()).limits().maxFrameBytes()).isEqualTo(1_047_552);
        assertThat(config(4_000_000, Map.of("max.request.size", "5000000")).limits().maxFrameBytes()).isEqualTo(4_000_000);
    }
}
