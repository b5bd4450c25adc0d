package io.dnstapforwarder.shipper.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.shipper.batch.HeldRecord;
import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.shipper.deadletter.DeadLetterHeaders;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.pair.Transaction;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.shape.RecordRenderer;
import io.dnstapforwarder.shipper.testing.DeliveryFixture;
import io.dnstapforwarder.shipper.testing.Records;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A transaction is one event made of two records: whatever happens to the event happens to both,
 * except that a half that will not render is dead-lettered alone and never holds its partner back.
 */
class TransactionDeliveryTest {

    private final DeliveryFixture parts = new DeliveryFixture();
    private final TopicPartition partition = new TopicPartition(Records.TOPIC, 0);
    private final AtomicInteger released = new AtomicInteger();

    @AfterEach
    void close() {
        parts.close();
    }

    @Test
    void deliversAPairAsOneEventBesideTheRecordsOfTheBatch() throws Exception {
        RecordBatch batch = new RecordBatch(partition, List.of(Records.numbered(0, 4)), List.of(pair(0, 1)));

        delivery(-1).deliver(batch, parts.stalls.hold(partition));

        assertThat(parts.sink.events()).hasSize(2);
        assertThat(parts.sink.events().get(1).at("/event/transaction").asText()).isEqualTo("paired");
        assertThat(parts.sentEvents()).isEqualTo(2);
        batch.releaseHolds();
        assertThat(released).hasValue(2);
    }

    @Test
    void deadLettersBothRecordsOfAPairHecRejects() throws Exception {
        parts.sink.then(new Outcome.Rejected("HTTP 400: Invalid data format", "hec_6", 0));

        delivery(-1).deliver(new RecordBatch(partition, List.of(), List.of(pair(0, 1))), parts.stalls.hold(partition));

        assertThat(parts.deadLettered()).containsExactly(0L, 1L);
        assertThat(parts.sentEvents()).isZero();
    }

    @Test
    void aResponseThatWillNotRenderIsDeadLetteredAloneAndItsQueryGoesOnSayingWhy() throws Exception {
        delivery(1).deliver(new RecordBatch(partition, List.of(), List.of(pair(0, 1))), parts.stalls.hold(partition));

        assertThat(parts.deadLettered()).containsExactly(1L);
        assertThat(parts.deadLetterRecords()).singleElement().satisfies(record -> assertThat(
                new String(record.headers().lastHeader(DeadLetterHeaders.ERROR_CODE).value(), StandardCharsets.UTF_8))
                .isEqualTo("render_failed"));
        assertThat(parts.sink.events()).singleElement().satisfies(event -> {
            assertThat(event.at("/event/transaction").asText()).isEqualTo("paired");
            assertThat(event.at("/event/message_type").asText()).isEqualTo("Query");
            assertThat(event.at("/event/transaction_error").asText())
                    .startsWith("its response could not be rendered and is on the dead-letter topic");
        });
    }

    /** Frames 0 and 1 of the capture: a query and its response, at offsets 0 and 1. */
    private Transaction<HeldRecord> pair(long query, long response) {
        return new Transaction<>(TransactionKind.PAIRED, held(query), held(response));
    }

    private HeldRecord held(long offset) {
        return new HeldRecord(Records.numbered(0, offset), released::incrementAndGet);
    }

    /** Delivery with the real renderer, which fails on any half whose number is {@code bad}. */
    private BatchDelivery delivery(long bad) {
        RecordRenderer real = RecordRenderer.of(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null)));
        RecordRenderer failing = new RecordRenderer() {
            @Override
            public byte[] render(byte[] recordValue) throws InvalidProtocolBufferException {
                check(recordValue);
                return real.render(recordValue);
            }

            @Override
            public byte[] render(TransactionKind kind, byte[] query, byte[] response, String transactionError)
                    throws InvalidProtocolBufferException {
                check(query);
                check(response);
                return real.render(kind, query, response, transactionError);
            }

            private void check(byte[] half) throws InvalidProtocolBufferException {
                if (half != null && DnstapEvents.parse(half).getConnectionId() == bad) {
                    throw new IllegalStateException("a decoder bug on this one");
                }
            }
        };
        return new BatchDelivery(new BatchDelivery.Context(ThreadLocal.withInitial(() -> failing), 1_000_000,
                parts.sender, parts.deadLetters, parts.gate, AckTracker.NONE, Runnable::run, DeliveryFixture.RETRIES,
                parts.time, parts.metrics, new DeliveryMetrics(parts.metrics)));
    }
}
