package io.dnstapforwarder.shipper.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.shipper.batch.RecordBatcher;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.PartitionStalls;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import io.dnstapforwarder.shipper.testing.DeliveryFixture;
import io.dnstapforwarder.shipper.testing.Records;
import io.dnstapforwarder.shipper.testing.ScriptedSink;
import io.dnstapforwarder.testkit.NumberedEvents;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The consumer loop's rules against Kafka's {@link MockConsumer} and a scripted sink: what is
 * committed, what a rebalance hands over, when a bounded run ends, when consumption pauses. No
 * broker; each test takes milliseconds to a second.
 */
@Timeout(60)
class ShipperLoopTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TopicPartition P0 = new TopicPartition(Records.TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(Records.TOPIC, 1);

    private final CommitRecordingConsumer consumer = new CommitRecordingConsumer();
    private DeliveryFixture parts = new DeliveryFixture();
    private ShipperLoop loop;
    private Thread thread;

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.stop();
            thread.join(WAIT.toMillis());
        }
        parts.close();
    }

    private void start(Subscription subscription) {
        start(subscription, value -> true);
    }

    private void start(Subscription subscription, java.util.function.Predicate<byte[]> shaping) {
        DeliveryPipeline pipeline = parts.pipeline(2, 1_000_000);
        loop = new ShipperLoop(consumer, "127.0.0.1:9092", subscription, shaping, new RecordBatcher(10,
                RecordBatcher.MAX_BATCH_RECORD_BYTES, Duration.ofMillis(20)), pipeline, parts.stalls, 4, parts.metrics,
                io.dnstapforwarder.time.Time.SYSTEM, io.dnstapforwarder.ops.Watchdog.NONE,
                PairingSettings.OFF);
        thread = new Thread(loop, "shipper-loop-test");
        thread.start();
    }

    /** Joins the group as the only member and gets {@code partitions}, each starting at offset 0. */
    private void joinOwning(TopicPartition... partitions) {
        Map<TopicPartition, Long> beginning = new HashMap<>();
        for (TopicPartition partition : partitions) {
            beginning.put(partition, 0L);
        }
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(partitions));
            consumer.updateBeginningOffsets(beginning);
        });
        start(new GroupSubscription(Records.TOPIC));
        await().atMost(WAIT).until(() -> loop.status().assigned());
    }

    private void add(TopicPartition partition, long from, long to) {
        for (long offset = from; offset < to; offset++) {
            consumer.addRecord(Records.numbered(partition.partition(), offset));
        }
    }

    private long committed(TopicPartition partition) {
        OffsetAndMetadata offset = consumer.commits.get(partition);
        return offset == null ? -1 : offset.offset();
    }

    /**
     * Kafka's {@link MockConsumer}, remembering every commit: its own {@code committed()} answers 0
     * for a partition no longer assigned, and nothing once closed.
     */
    private static final class CommitRecordingConsumer extends MockConsumer<byte[], byte[]> {
        final Map<TopicPartition, OffsetAndMetadata> commits = new ConcurrentHashMap<>();

        CommitRecordingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
            commits.putAll(offsets);
            super.commitAsync(offsets, callback);
        }
    }

    @Test
    void recordsShapingDropsAreNeverBatchedAndTheirOffsetsAreCommittedWithTheRest() {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0));
            consumer.updateBeginningOffsets(Map.of(P0, 0L));
        });
        start(new GroupSubscription(Records.TOPIC), value -> asked.getAndIncrement() % 2 == 0); // every other one
        await().atMost(WAIT).until(() -> loop.status().assigned());
        consumer.schedulePollTask(() -> add(P0, 0, 20));

        await().atMost(WAIT).until(() -> committed(P0) == 20);
        assertThat(parts.sink.numbers()).isEqualTo(List.of(0L, 2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L));
        assertThat(asked).hasValue(20);
    }

    @Test
    void commitsAPartitionOnlyUpToItsFirstRecordNotYetDelivered() {
        CountDownLatch release = new CountDownLatch(1);
        parts.sink.otherwise(request -> {
            if (ScriptedSink.numbers(request).contains(10L)) {
                release.await();
            }
            return new Outcome.Delivered(-1);
        });
        joinOwning(P0);
        consumer.schedulePollTask(() -> add(P0, 0, 10));
        await().atMost(WAIT).until(() -> committed(P0) == 10);
        consumer.schedulePollTask(() -> add(P0, 10, 30));

        await().atMost(WAIT).until(() -> parts.sink.numbers().size() == 30);
        assertThat(committed(P0)).as("records 10 to 19 wait for HEC, so 20 to 29 cannot be committed either")
                .isEqualTo(10);

        release.countDown();
        await().atMost(WAIT).until(() -> committed(P0) == 30);
        assertThat(parts.sink.numbers()).containsExactlyInAnyOrderElementsOf(NumberedEvents.range(0, 30));
    }

    @Test
    void handsOverARevokedPartitionAfterCommittingWhatItDelivered() {
        CountDownLatch release = new CountDownLatch(1);
        parts.sink.otherwise(ScriptedSink.deliveredAfter(release));
        joinOwning(P0, P1);
        consumer.schedulePollTask(() -> add(P1, 0, 10));
        await().atMost(WAIT).until(() -> parts.sink.numbers().size() == 10);

        consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
        release.countDown();

        await().atMost(WAIT).until(() -> loop.status().partitions().equals(List.of(P0.toString())));
        assertThat(committed(P1)).as("delivered before the partition went").isEqualTo(10);
    }

    @Test
    void aBoundedRunReadsItsRangeDeliversItAndEndsByItself() throws Exception {
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(Records.TOPIC, List.of(new PartitionInfo(Records.TOPIC, 0, node, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.updateEndOffsets(Map.of(P0, 25L));
        consumer.schedulePollTask(() -> add(P0, 0, 30)); // 25 to 29 arrived after the run started: not its business

        start(new RangeSubscription(Records.TOPIC, Bounds.EVERYTHING));
        thread.join(WAIT.toMillis());

        assertThat(thread.isAlive()).isFalse();
        assertThat(loop.completed()).isTrue();
        assertThat(parts.sink.numbers()).containsExactlyInAnyOrderElementsOf(NumberedEvents.range(0, 25));
        assertThat(committed(P0)).isEqualTo(25);
    }

    @Test
    void pausesEveryPartitionWhileTheOnlyEndpointsBreakerIsOpenAndResumesAfter() {
        parts = new DeliveryFixture(true);
        parts.sink.then(new Outcome.Retryable("HTTP 503", "http_503", null))
                .then(new Outcome.Retryable("HTTP 503", "http_503", null));
        joinOwning(P0, P1);
        consumer.schedulePollTask(() -> add(P0, 0, 10));

        await().atMost(WAIT).until(() -> loop.status().paused());
        assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);

        await().atMost(WAIT).until(() -> !loop.status().paused());
        await().atMost(WAIT).until(() -> committed(P0) == 10);
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void pausesOnlyThePartitionTheWorkersCannotGoOnWithUntilTheyCan() {
        joinOwning(P0, P1);

        PartitionStalls.Hold delivery = parts.stalls.hold(P0);
        delivery.stall("the dead-letter topic does not take records");

        await().atMost(WAIT).until(() -> consumer.paused().equals(Set.of(P0)));
        assertThat(loop.status().paused()).as("the rest goes on").isFalse();
        delivery.end();
        await().atMost(WAIT).until(() -> consumer.paused().isEmpty());
    }

    @Test
    void aBoundedRunIsNotDoneWhileARecordWaitsForTheDeadLetterTopic() throws Exception {
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(Records.TOPIC, List.of(new PartitionInfo(Records.TOPIC, 0, node, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.updateEndOffsets(Map.of(P0, 10L));
        consumer.schedulePollTask(() -> add(P0, 0, 10));
        parts.sink.otherwise(ScriptedSink.rejectingWhen(number -> number == 4,
                new Outcome.Rejected("HTTP 400: Invalid data format", "hec_6", -1)));
        parts.deadLetterProducer.sendException = new KafkaException("no leader for dlq-0");

        start(new RangeSubscription(Records.TOPIC, Bounds.EVERYTHING));
        await().atMost(WAIT).until(() -> parts.stalls.isStalled(P0));
        thread.join(500);
        assertThat(loop.completed()).isFalse();
        assertThat(committed(P0)).as("never past the record that waits").isLessThanOrEqualTo(4);

        parts.deadLetterProducer.sendException = null;
        thread.join(WAIT.toMillis());

        assertThat(loop.completed()).isTrue();
        assertThat(committed(P0)).isEqualTo(10);
        assertThat(parts.deadLettered()).containsExactly(4L);
    }

    @Test
    void reportsWhatKilledItSoThatHealthCanTell() throws Exception {
        joinOwning(P0);

        consumer.setPollException(new KafkaException("the consumer broke"));
        thread.join(WAIT.toMillis());

        assertThat(loop.status().running()).isFalse();
        assertThat(loop.status().failure()).hasMessage("the consumer broke");
        assertThat(loop.completed()).isFalse();
    }
}
