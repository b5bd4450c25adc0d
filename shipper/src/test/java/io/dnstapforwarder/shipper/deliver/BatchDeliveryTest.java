package io.dnstapforwarder.shipper.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.shipper.deadletter.DeadLetterHeaders;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.testing.FunctionRenderer;
import io.dnstapforwarder.shipper.testing.DeliveryFixture;
import io.dnstapforwarder.shipper.testing.Records;
import io.dnstapforwarder.shipper.testing.ScriptedSink;
import io.dnstapforwarder.testkit.NumberedEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rules of delivering one batch, against a scripted sink: no broker, no HEC, milliseconds. */
class BatchDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final DeliveryFixture parts = new DeliveryFixture();

    @AfterEach
    void close() {
        parts.close();
    }

    private BatchDelivery delivery(long maxRequestBytes) {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));
        return delivery(maxRequestBytes, renderer::render);
    }

    private BatchDelivery delivery(long maxRequestBytes, Function<DnstapEvent, byte[]> renderer) {
        return new BatchDelivery(new BatchDelivery.Context(ThreadLocal.withInitial(() -> new FunctionRenderer(renderer)),
                maxRequestBytes,
                parts.sender, parts.deadLetters, parts.gate, AckTracker.NONE, Runnable::run,
                DeliveryFixture.RETRIES, parts.time, parts.metrics, new DeliveryMetrics(parts.metrics)));
    }

    /** A delivery's hold on partition 0, where the test batches are. */
    private PartitionStalls.Hold hold() {
        return parts.stalls.hold(new TopicPartition(Records.TOPIC, 0));
    }

    /** A renderer with a bug that shows on event {@code bad} only. */
    private static Function<DnstapEvent, byte[]> failingOn(long bad) {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));
        return event -> {
            if (event.getConnectionId() == bad) {
                throw new ArrayIndexOutOfBoundsException("Index 26 out of bounds for length 26");
            }
            return renderer.render(event);
        };
    }

    @Test
    void deliversEveryRecordInRequestsOfAtMostTheByteLimit() throws Exception {
        CompletableFuture<Void> settled = delivery(10_000).deliver(Records.batch(0, 0, 50), hold());

        assertThat(settled).isCompleted();
        assertThat(parts.sink.numbers()).isEqualTo(NumberedEvents.range(0, 50));
        assertThat(parts.sink.requestSizes()).hasSizeGreaterThan(1);
        assertThat(parts.sentEvents()).isEqualTo(50);
        assertThat(parts.deadLettered()).isEmpty();
    }

    @Test
    void deadLettersARecordThatIsNotADnstapEventAndDeliversTheRest() throws Exception {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(Records.batch(0, 0, 3).records());
        records.add(Records.withValue(0, 3, "not protobuf at all".getBytes(StandardCharsets.US_ASCII)));
        records.add(Records.numbered(0, 4));

        delivery(1_000_000).deliver(new RecordBatch(new TopicPartition(Records.TOPIC, 0), records), hold());

        assertThat(parts.sink.numbers()).containsExactly(0L, 1L, 2L, 4L);
        assertThat(parts.deadLetterRecords()).singleElement().satisfies(record -> {
            assertThat(new String(record.value(), StandardCharsets.US_ASCII)).isEqualTo("not protobuf at all");
            assertThat(header(record.headers().lastHeader(DeadLetterHeaders.ERROR_CODE).value()))
                    .isEqualTo("undecodable_record");
            assertThat(header(record.headers().lastHeader(DeadLetterHeaders.SOURCE_OFFSET).value())).isEqualTo("3");
        });
        assertThat(parts.sentEvents()).isEqualTo(4);
    }

    @Test
    void deadLettersTheEventHecNamesCountsTheOnesBeforeItAndSendsTheRestAgain() throws Exception {
        parts.sink.then(new Outcome.Rejected("HTTP 400: Invalid data format", "hec_6", 2));

        delivery(1_000_000).deliver(Records.batch(0, 0, 5), hold());

        assertThat(parts.deadLettered()).containsExactly(2L);
        assertThat(parts.sink.numbers()).containsExactly(0L, 1L, 2L, 3L, 4L, 3L, 4L);
        assertThat(parts.sentEvents()).isEqualTo(4);
    }

    @Test
    void halvesARequestHecRejectsWithoutNamingAnEventUntilTheBadOnesAreAlone() throws Exception {
        parts.sink.otherwise(ScriptedSink.rejectingWhen(number -> number == 3 || number == 6,
                new Outcome.Rejected("HTTP 400", "http_400", -1)));

        delivery(1_000_000).deliver(Records.batch(0, 0, 8), hold());

        assertThat(parts.deadLettered()).containsExactly(3L, 6L);
        assertThat(parts.sentEvents()).isEqualTo(6);
    }

    @Test
    void deadLettersARecordThatFailsToRenderWithTheExceptionAndDeliversTheRest() throws Exception {
        CompletableFuture<Void> settled = delivery(1_000_000, failingOn(3)).deliver(Records.batch(0, 0, 6), hold());

        assertThat(settled).isCompleted();
        assertThat(parts.sink.numbers()).containsExactly(0L, 1L, 2L, 4L, 5L);
        assertThat(parts.deadLetterRecords()).singleElement().satisfies(record -> {
            assertThat(header(record.headers().lastHeader(DeadLetterHeaders.ERROR_CODE).value())).isEqualTo("render_failed");
            assertThat(header(record.headers().lastHeader(DeadLetterHeaders.EXCEPTION_CLASS).value()))
                    .isEqualTo("java.lang.ArrayIndexOutOfBoundsException");
            assertThat(header(record.headers().lastHeader(DeadLetterHeaders.EXCEPTION_MESSAGE).value()))
                    .isEqualTo("Index 26 out of bounds for length 26");
            assertThat(header(record.headers().lastHeader(DeadLetterHeaders.EXCEPTION_STACKTRACE).value()))
                    .contains("BatchDeliveryTest");
        });
        assertThat(parts.deadLettered()).containsExactly(3L);
        assertThat(errors("render_failed")).isEqualTo(1);
    }

    @Test
    void retriesAFaultThenHalvesTheRecordsUntilTheOneItComesFromIsAloneAndDeadLettersIt() throws Exception {
        parts.sink.otherwise(request -> {
            if (ScriptedSink.numbers(request).contains(5L)) {
                throw new IllegalStateException("a bug met on event 5");
            }
            return new Outcome.Delivered(-1);
        });

        CompletableFuture<Void> settled = delivery(1_000_000).deliver(Records.batch(0, 0, 8), hold());

        assertThat(settled).isCompleted();
        assertThat(parts.deadLettered()).containsExactly(5L);
        assertThat(parts.sentEvents()).isEqualTo(7);
        assertThat(Set.copyOf(parts.sink.numbers())).containsExactlyInAnyOrderElementsOf(NumberedEvents.range(0, 8));
        assertThat(parts.deadLetterRecords().get(0).headers().lastHeader(DeadLetterHeaders.ERROR_CODE).value())
                .asString(StandardCharsets.UTF_8).isEqualTo("delivery_failed");
        assertThat(parts.pauses).as("waits between attempts").isNotEmpty();
    }

    @Test
    void sendsARequestHecFindsTooLargeAgainInHalvesAndDeadLettersAnEventTooLargeAlone() throws Exception {
        parts.sink.otherwise(request -> request.size() > 2 || ScriptedSink.numbers(request).contains(6L)
                ? new Outcome.TooLarge("HTTP 413", "http_413") : new Outcome.Delivered(-1));

        delivery(1_000_000).deliver(Records.batch(0, 0, 9), hold());

        assertThat(parts.deadLettered()).containsExactly(6L);
        assertThat(parts.sentEvents()).isEqualTo(8);
        assertThat(parts.sink.requestSizes()).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(9));
    }

    @Test
    void holdsRecordsWhileTheDeadLetterTopicDoesNotTakeThemAndSaysWhich() throws Exception {
        parts.deadLetterProducer.sendException = new KafkaException("no leader for dlq-0");
        BatchDelivery delivery = delivery(1_000_000, failingOn(2));
        CompletableFuture<CompletableFuture<Void>> delivering = CompletableFuture.supplyAsync(() -> {
            try {
                return delivery.deliver(Records.batch(0, 0, 4), hold());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        await().atMost(WAIT).until(() -> parts.stalls.isStalled(new TopicPartition(Records.TOPIC, 0)));
        assertThat(parts.stalls.describe().values()).singleElement().asString()
                .contains("does not take records", "no leader for dlq-0");
        assertThat(delivering).isNotDone();

        parts.deadLetterProducer.sendException = null;

        assertThat(delivering).succeedsWithin(WAIT);
        assertThat(parts.deadLettered()).containsExactly(2L);
        assertThat(parts.stalls.any()).isFalse();
        assertThat(errors("dead_letter_failed")).isPositive();
    }

    @Test
    void pausesDeadLetteringWhenMostOfTheStreamWouldGoThereAndSaysWhy() throws Exception {
        parts.sink.otherwise(request -> new Outcome.Rejected("HTTP 400: Invalid data format", "hec_6", 0));
        BatchDelivery delivery = delivery(1_000_000);
        Thread delivering = new Thread(() -> {
            try {
                delivery.deliver(Records.batch(0, 0, 300), hold());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        delivering.start();
        try {
            await().atMost(WAIT).until(() -> parts.stalls.any());
            assertThat(parts.stalls.describe().values()).singleElement().asString()
                    .contains("would go to the dead-letter topic", "--dlq-max-percent 50");
            assertThat(parts.gate.closedBecause()).isNotNull();
            assertThat(parts.deadLettered()).as("what went before the gate closed").hasSizeLessThan(100);
            assertThat(delivering.isAlive()).as("the rest waits, not dropped").isTrue();
        } finally {
            delivering.interrupt();
            delivering.join(WAIT.toMillis());
        }
    }

    private double errors(String type) {
        var counter = parts.registry.find("dnstap.component.errors").tag("error.type", type).counter();
        return counter == null ? 0 : counter.count();
    }

    private static String header(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }
}
