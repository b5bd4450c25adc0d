package io.dnstapforwarder.shipper.testing;

import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.retry.Backoff;
import io.dnstapforwarder.shipper.deadletter.DeadLetterPublisher;
import io.dnstapforwarder.shipper.deliver.Breakers;
import io.dnstapforwarder.shipper.deliver.DeadLetterGate;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.Endpoint;
import io.dnstapforwarder.shipper.deliver.Endpoints;
import io.dnstapforwarder.shipper.deliver.PartitionStalls;
import io.dnstapforwarder.shipper.deliver.Sender;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.testkit.TestTime;
import io.dnstapforwarder.time.Time;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The delivery side of a shipper with no broker and no HEC: a {@link ScriptedSink} behind one
 * endpoint (its breaker off unless asked for), retries in milliseconds, and a dead-letter topic
 * that is Kafka's {@link MockProducer}. For tests of the pipeline's rules that run in milliseconds.
 */
public final class DeliveryFixture implements AutoCloseable {

    public static final String DEAD_LETTER_TOPIC = "dlq";
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    public static final Backoff RETRIES = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(30));

    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final ComponentMetrics metrics = new ComponentMetrics(registry, "shipper", "test");
    public final ScriptedSink sink = new ScriptedSink();
    public final MockProducer<byte[], byte[]> deadLetterProducer = new MockProducer<>(deadLetterCluster(), true, null,
            new ByteArraySerializer(), new ByteArraySerializer());
    public final DeadLetterPublisher deadLetters = new DeadLetterPublisher(deadLetterProducer, DEAD_LETTER_TOPIC, "test");
    public final Endpoints endpoints;
    public final Sender sender;
    /** The workers' time: the wall clock at {@link #CLOCK}, and waits on purpose taken as at most 10 ms. */
    public final TestTime time = TestTime.waitingAtMost(Duration.ofMillis(10)).at(CLOCK.instant());
    public final PartitionStalls stalls = new PartitionStalls(Time.SYSTEM);
    public final DeadLetterGate gate = new DeadLetterGate(50, Time.SYSTEM);
    /** Waits the workers asked for on purpose, in order, so that tests of waiting rules run fast. */
    public final List<Duration> pauses = time.sleeps();

    public DeliveryFixture() {
        this(false);
    }

    /** @param breaker whether the endpoint has a circuit breaker (opens after 2 failed requests of 2, for 1 s) */
    public DeliveryFixture(boolean breaker) {
        Breakers breakers = new Breakers(breaker, 50, 2, Duration.ofSeconds(1), registry, io.micrometer.core.instrument.Tags.empty());
        this.endpoints = new Endpoints(List.of(new Endpoint(sink, breakers.create("scripted"))));
        this.sender = new Sender(endpoints, Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(5)), 1, metrics,
                Time.SYSTEM);
    }

    /** A pipeline of {@code concurrency} workers over this sink, without indexer acknowledgement. */
    public DeliveryPipeline pipeline(int concurrency, long maxRequestBytes) {
        return new DeliveryPipeline(concurrency, new HecEventRenderer.Settings("dnstap", null), maxRequestBytes, parts());
    }

    /** What the workers deliver with: this sink, this dead-letter topic, these stalls, this time. */
    public DeliveryPipeline.Parts parts() {
        return new DeliveryPipeline.Parts(sender, deadLetters, gate, AckTracker.NONE, stalls, RETRIES, time, metrics);
    }

    /** The numbers of the events on the dead-letter topic, in the order they went there. */
    public List<Long> deadLettered() {
        return deadLetterProducer.history().stream().map(DeliveryFixture::number).toList();
    }

    public List<ProducerRecord<byte[], byte[]>> deadLetterRecords() {
        return deadLetterProducer.history();
    }

    public long sentEvents() {
        return metrics.sentEvents();
    }

    private static long number(ProducerRecord<byte[], byte[]> record) {
        try {
            return DnstapEvent.parseFrom(record.value()).getConnectionId();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return -1; // not an event at all
        }
    }

    private static Cluster deadLetterCluster() {
        Node node = new Node(0, "localhost", 9092);
        return new Cluster("test", List.of(node), List.of(new PartitionInfo(DEAD_LETTER_TOPIC, 0, node,
                new Node[] {node}, new Node[] {node})), Set.of(), Set.of());
    }

    @Override
    public void close() {
        deadLetters.close();
    }
}
