package io.dnstapforwarder.shipper.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.testing.FunctionRenderer;
import io.dnstapforwarder.shipper.testing.DeliveryFixture;
import io.dnstapforwarder.shipper.testing.Records;
import io.dnstapforwarder.shipper.testing.ScriptedSink;
import io.dnstapforwarder.testkit.NumberedEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker pool's contract with the consumer thread, against a scripted sink. */
@Timeout(30)
class DeliveryPipelineTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final TopicPartition P0 = new TopicPartition(Records.TOPIC, 0);

    private final DeliveryFixture parts = new DeliveryFixture();
    private final DeliveryPipeline pipeline = parts.pipeline(2, 1_000_000);

    @AfterEach
    void close() {
        pipeline.close();
        parts.close();
    }

    @Test
    void handsBackEachSettledBatchWithTheEpochItWasSubmittedIn() {
        pipeline.submit(Records.batch(0, 0, 10), 7);
        pipeline.submit(Records.batch(1, 0, 10), 8);
        pipeline.submit(Records.batch(0, 10, 20), 7);

        await().atMost(WAIT).until(() -> pipeline.inFlight() == 0);
        List<DeliveryPipeline.Settled> settled = new ArrayList<>();
        pipeline.drainSettled(settled::add);

        assertThat(settled).extracting(s -> s.batch().partition().partition() + "@" + s.batch().firstOffset() + "/"
                + s.epoch()).containsExactlyInAnyOrder("0@0/7", "1@0/8", "0@10/7");
        assertThat(parts.sentEvents()).isEqualTo(30);
    }

    @Test
    void neverHandsBackABatchItAbandoned() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        parts.sink.thenAnswer(ScriptedSink.deliveredAfter(release));
        pipeline.submit(Records.batch(0, 0, 10), 1);
        await().atMost(WAIT).until(() -> parts.sink.numbers().size() == 10);

        pipeline.abandon(Set.of(P0));
        release.countDown();

        await().atMost(WAIT).until(() -> pipeline.inFlight() == 0);
        List<DeliveryPipeline.Settled> settled = new ArrayList<>();
        pipeline.drainSettled(settled::add);
        assertThat(settled).isEmpty();
    }

    @Test
    void waitsForRoomUntilABatchEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        parts.sink.otherwise(ScriptedSink.deliveredAfter(release));
        pipeline.submit(Records.batch(0, 0, 1), 1);
        pipeline.submit(Records.batch(1, 0, 1), 1);
        assertThat(pipeline.inFlight()).isEqualTo(2);
        assertThat(pipeline.busyPartitions()).hasSize(2);

        Thread releaser = new Thread(() -> {
            await().atMost(WAIT).until(() -> parts.sink.numbers().size() == 2);
            release.countDown();
        });
        releaser.start();
        pipeline.awaitRoom(2, WAIT);

        assertThat(pipeline.inFlight()).isLessThan(2);
        releaser.join(TimeUnit.SECONDS.toMillis(10));
    }

    @Test
    void waitsForThePartitionsItIsAskedAboutOnly() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        parts.sink.thenAnswer(ScriptedSink.deliveredAfter(release));
        pipeline.submit(Records.batch(0, 0, 1), 1);
        await().atMost(WAIT).until(() -> parts.sink.numbers().size() == 1);

        assertThat(pipeline.awaitIdle(Set.of(new TopicPartition(Records.TOPIC, 1)), Duration.ZERO)).isTrue();
        assertThat(pipeline.awaitIdle(Set.of(P0), Duration.ofMillis(50))).isFalse();
        release.countDown();
        assertThat(pipeline.awaitIdle(Set.of(P0), WAIT)).isTrue();
    }

    @Test
    void neverForgetsABatchWhoseDeliveryFailsUnexpectedlyAndSaysSoMeanwhile() {
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));
        DeliveryPipeline faulty = new DeliveryPipeline(1, () -> new FunctionRenderer(event -> {
            if (failing.get()) {
                throw new StackOverflowError("deep in a decoder"); // an Error: past every per-record guard
            }
            return renderer.render(event);
        }), 1_000_000, parts.parts());
        try {
            faulty.submit(Records.batch(0, 0, 5), 3);

            await().atMost(WAIT).until(() -> parts.stalls.isStalled(P0));
            assertThat(parts.stalls.describe().get(P0.toString())).contains("delivering a batch keeps failing",
                    "deep in a decoder");
            failing.set(false);
            await().atMost(WAIT).until(() -> faulty.inFlight() == 0);
            List<DeliveryPipeline.Settled> settled = new ArrayList<>();
            faulty.drainSettled(settled::add);
            assertThat(settled).singleElement().satisfies(s -> assertThat(s.epoch()).isEqualTo(3));
            assertThat(parts.sink.numbers()).isEqualTo(NumberedEvents.range(0, 5));
            assertThat(parts.stalls.isStalled(P0)).as("the stall ends with the delivery that raised it").isFalse();
        } finally {
            faulty.close();
        }
    }

    @Test
    void aDeliveryAbandonedWhileItWaitsForTheDeadLetterTopicNeverStallsItsPartitionAgain() {
        parts.sink.otherwise(ScriptedSink.rejectingWhen(number -> true,
                new io.dnstapforwarder.shipper.hec.Outcome.Rejected("HTTP 400: Invalid data format", "hec_6", 0)));
        parts.deadLetterProducer.sendException = new org.apache.kafka.common.KafkaException("no leader for dlq-0");
        pipeline.submit(Records.batch(0, 0, 1), 1);
        await().atMost(WAIT).until(() -> parts.stalls.isStalled(P0));

        pipeline.abandon(Set.of(P0));

        // The worker, interrupted anywhere in its dead-letter loop, ends without raising the stall again.
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> !parts.stalls.isStalled(P0));
        await().atMost(WAIT).until(() -> pipeline.inFlight() == 0);
    }

    @Test
    void aStallOfOneDeliveryIsNotClearedByAnotherOfTheSamePartition() {
        PartitionStalls.Hold stuck = parts.stalls.hold(P0);
        PartitionStalls.Hold fine = parts.stalls.hold(P0);

        stuck.stall("the dead-letter topic does not take records");
        fine.stall("dead-lettering paused");
        fine.clear();

        assertThat(parts.stalls.describe()).containsOnlyKeys(P0.toString());
        assertThat(parts.stalls.describe().get(P0.toString())).startsWith("the dead-letter topic does not take records");
        stuck.end();
        stuck.stall("late");
        assertThat(parts.stalls.any()).isFalse();
    }

    @Test
    void tellsHowLongAPartitionsOldestBatchHasWaited() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        parts.sink.thenAnswer(ScriptedSink.deliveredAfter(release));
        pipeline.submit(Records.batch(0, 0, 1), 1);
        await().atMost(WAIT).until(() -> parts.sink.numbers().size() == 1);

        await().atMost(WAIT).until(() -> pipeline.oldestInFlight(P0).toMillis() >= 50);
        assertThat(pipeline.oldestInFlight(new TopicPartition(Records.TOPIC, 1))).isZero();
        release.countDown();
        await().atMost(WAIT).until(() -> pipeline.oldestInFlight(P0).isZero());
    }
}
