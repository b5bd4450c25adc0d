package io.dnstapforwarder.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.collector.monitor.CollectorMetrics;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the publisher does with each answer of Kafka, against Kafka's own MockProducer. */
@Timeout(30)
class KafkaEventPublisherTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TOPIC = "events";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MockProducer<byte[], byte[]> kafka = new MockProducer<>(cluster(), false, null,
            new ByteArraySerializer(), new ByteArraySerializer());
    private final KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, TOPIC, 1_000_000,
            new CollectorMetrics(new ComponentMetrics(registry, "collector", "test"), 100, io.dnstapforwarder.time.Time.SYSTEM));

    @AfterEach
    void close() {
        publisher.close(Duration.ofSeconds(1));
    }

    @Test
    void holdsAndSendsAgainWhatKafkaRefusesAndSaysWhy() throws Exception {
        publisher.publish(new byte[100]);
        await().atMost(WAIT).until(() -> kafka.history().size() == 1);

        kafka.errorNext(new TopicAuthorizationException("Not authorized to access topics: [events]"));

        assertThat(publisher.refusal()).contains("Not authorized to access topics");
        assertThat(publisher.outstandingBytes()).as("still held: the budget stays spent").isPositive();
        await().atMost(WAIT).until(() -> kafka.history().size() == 2); // the retry thread sent it again
        assertThat(kafka.completeNext()).isTrue();

        await().atMost(WAIT).until(() -> publisher.refusal() == null);
        assertThat(publisher.outstandingBytes()).isZero();
        assertThat(count("dnstap.component.discarded.events")).isZero();
        assertThat(count("dnstap.component.sent.events")).isEqualTo(1);
    }

    @Test
    void countsAnEventKafkaCanNeverTakeAsLost() throws Exception {
        publisher.publish(new byte[100]);
        await().atMost(WAIT).until(() -> kafka.history().size() == 1);

        kafka.errorNext(new RecordTooLargeException("The message is 2000000 bytes when serialized"));

        assertThat(publisher.outstandingBytes()).isZero();
        assertThat(count("dnstap.component.discarded.events")).isEqualTo(1);
        assertThat(publisher.refusal()).isNull();
    }

    private double count(String name) {
        var counter = registry.find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Cluster cluster() {
        Node node = new Node(0, "localhost", 9092);
        return new Cluster("test", List.of(node), List.of(new PartitionInfo(TOPIC, 0, node, new Node[] {node},
                new Node[] {node})), Set.of(), Set.of());
    }
}
