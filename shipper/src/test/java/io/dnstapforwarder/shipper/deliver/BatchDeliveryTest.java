package io.dnstapforwarder.shipper.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.shipper.deadletter.DeadLetterHeaders;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.testing.DeliveryFixture;
import io.dnstapforwarder.shipper.testing.Records;
import io.dnstapforwarder.shipper.testing.ScriptedSink;
import io.dnstapforwarder.testkit.NumberedEvents;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rules of delivering one batch, against a scripted sink: no broker, no HEC, milliseconds. */
class BatchDeliveryTest {

    private final DeliveryFixture parts = new DeliveryFixture();

    @AfterEach
    void close() {
        parts.close();
    }

    private BatchDelivery delivery(long maxRequestBytes) {
        return new BatchDelivery(new BatchDelivery.Context(ThreadLocal.withInitial(() -> new HecEventRenderer(
                new HecEventRenderer.Settings("dnstap", null))), maxRequestBytes, parts.sender, parts.deadLetters,
                AckTracker.NONE, Runnable::run, parts.metrics, new DeliveryMetrics(parts.metrics), DeliveryFixture.CLOCK));
    }

    @Test
    void deliversEveryRecordInRequestsOfAtMostTheByteLimit() throws Exception {
        CompletableFuture<Void> settled = delivery(10_000).deliver(Records.batch(0, 0, 50));

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

        delivery(1_000_000).deliver(new RecordBatch(new TopicPartition(Records.TOPIC, 0), records));

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

        delivery(1_000_000).deliver(Records.batch(0, 0, 5));

        assertThat(parts.deadLettered()).containsExactly(2L);
        assertThat(parts.sink.numbers()).containsExactly(0L, 1L, 2L, 3L, 4L, 3L, 4L);
        assertThat(parts.sentEvents()).isEqualTo(4);
    }

    @Test
    void halvesARequestHecRejectsWithoutNamingAnEventUntilTheBadOnesAreAlone() throws Exception {
        parts.sink.otherwise(ScriptedSink.rejectingWhen(number -> number == 3 || number == 6,
                new Outcome.Rejected("HTTP 400", "http_400", -1)));

        delivery(1_000_000).deliver(Records.batch(0, 0, 8));

        assertThat(parts.deadLettered()).containsExactly(3L, 6L);
        assertThat(parts.sentEvents()).isEqualTo(6);
    }

    private static String header(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }
}
