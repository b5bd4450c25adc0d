package io.dnstapforwarder.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** --create-topics against a Kafka that does not answer: the start stops with one message, in bounded time. */
@Timeout(60)
class TopicsTest {

    @Test
    void stopsTheStartNamingCreateTopicsWhenKafkaDoesNotAnswer() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Map<String, Object> admin = KafkaSettings.admin("127.0.0.1:" + closedPort, "topics-test", Map.of());

        assertThatThrownBy(() -> Topics.createMissing(admin, List.of(new NewTopic("dns.events", Optional.of(3),
                Optional.empty())), Duration.ofSeconds(4))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--create-topics: could not create the topics: ");
    }

    @Test
    void stopsTheStartNamingCreateTopicsWhenTheClientRefusesItsSettings() {
        // A wait shorter than the client's request timeout (3 s) is a setting Kafka's client refuses.
        Map<String, Object> admin = KafkaSettings.admin("127.0.0.1:9", "topics-test", Map.of());

        assertThatThrownBy(() -> Topics.createMissing(admin, List.of(new NewTopic("dns.events", Optional.of(3),
                Optional.empty())), Duration.ofSeconds(1))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--create-topics: could not create the topics: Failed to create new KafkaAdminClient");
    }
}
