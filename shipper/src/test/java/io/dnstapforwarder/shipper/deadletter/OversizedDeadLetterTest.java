package io.dnstapforwarder.shipper.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dead letter that can never fit the dead-letter topic (a topic with a smaller
 * {@code max.message.bytes}, or a fault's stack trace on a frame near the size limit) used to be
 * retried for ever, its partition stalled. It now goes without what does not fit: first the stack
 * trace, then the value, with a header saying where the original is.
 */
@Timeout(60)
class OversizedDeadLetterTest {

    @Test
    void aRecordTooLargeForTheTopicGoesWithoutItsStackTraceThenWithoutItsValue() throws Exception {
        String topic = TestKafka.uniqueTopic("small-dlq");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "12000"))))
                    .all().get();
        }
        DeadLetterReason fault = DeadLetterReason.fault("render_failed", deep(60), Instant.EPOCH);
        ConsumerRecord<byte[], byte[]> fits = new ConsumerRecord<>("events", 2, 10, null, new byte[100]);
        ConsumerRecord<byte[], byte[]> fitsWithoutTrace = new ConsumerRecord<>("events", 2, 11, null, new byte[8000]);
        ConsumerRecord<byte[], byte[]> tooLarge = new ConsumerRecord<>("events", 2, 12, null, new byte[15000]);

        try (DeadLetterPublisher publisher = new DeadLetterPublisher(new KafkaProducer<>(KafkaSettings.producer(
                TestKafka.bootstrapServers(), "oversized-dlq-test", Map.of("compression.type", "none"))), topic, "test",
                Duration.ofSeconds(20))) { // uncompressed, so that sizes are what they look
            publisher.publish(List.of(fits, fitsWithoutTrace, tooLarge), fault);
        }

        List<ConsumerRecord<byte[], byte[]>> dead = TestKafka.read(topic, 3, Duration.ofSeconds(30));
        assertThat(dead).extracting(record -> header(record, DeadLetterHeaders.SOURCE_OFFSET))
                .containsExactly("10", "11", "12");
        assertThat(dead.get(0).value()).hasSize(100);
        assertThat(header(dead.get(0), DeadLetterHeaders.EXCEPTION_STACKTRACE)).hasSizeGreaterThan(3000);
        assertThat(dead.get(1).value()).hasSize(8000);
        assertThat(header(dead.get(1), DeadLetterHeaders.EXCEPTION_STACKTRACE)).isNull();
        assertThat(header(dead.get(1), DeadLetterHeaders.REASON)).contains("deep in a decoder");
        assertThat(dead.get(2).value()).isNull();
        assertThat(header(dead.get(2), DeadLetterHeaders.VALUE_OMITTED)).startsWith("15000 bytes");
        assertThat(header(dead.get(2), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("events");
    }

    @Test
    void startUpRefusesADeadLetterTopicThatTakesSmallerRecordsThanTheEventsTopic() throws Exception {
        String events = TestKafka.uniqueTopic("events");
        String small = TestKafka.uniqueTopic("small-dlq");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(events, 1, (short) 1).configs(Map.of("max.message.bytes", "262144")),
                    new NewTopic(small, 1, (short) 1).configs(Map.of("max.message.bytes", "4000")))).all().get();
        }
        Map<String, Object> admin = Map.of("bootstrap.servers", TestKafka.bootstrapServers());

        assertThatThrownBy(() -> DeadLetterFit.check(admin, events, small)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("The dead-letter topic " + small + " takes records of at most 4000 bytes "
                        + "(max.message.bytes), less than the events topic " + events + " (262144)");
        DeadLetterFit.check(admin, small, events); // the other way round is fine
        DeadLetterFit.check(admin, events, TestKafka.uniqueTopic("not-yet-created")); // Kafka cannot say: go on
    }

    /** An exception with a stack trace of several KiB, as a deep recursion in a decoder has. */
    private static RuntimeException deep(int depth) {
        return depth == 0 ? new IllegalStateException("deep in a decoder") : deep(depth - 1);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
