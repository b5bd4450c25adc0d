package io.dnstapforwarder.shipper.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordBatcherTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void completesABatchAtTheRecordLimitPerPartition() {
        RecordBatcher batcher = new RecordBatcher(3, 1_000_000, Duration.ofSeconds(1));

        assertThat(batcher.add(new TopicPartition("t", 0), record(0, 0, 10), 0)).isEmpty();
        assertThat(batcher.add(new TopicPartition("t", 1), record(1, 0, 10), 0)).isEmpty();
        assertThat(batcher.add(new TopicPartition("t", 0), record(0, 1, 10), 0)).isEmpty();
        List<RecordBatch> complete = batcher.add(new TopicPartition("t", 0), record(0, 2, 10), 0);

        assertThat(complete).singleElement().satisfies(batch -> {
            assertThat(batch.partition()).isEqualTo(new TopicPartition("t", 0));
            assertThat(batch.records()).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L);
        });
        assertThat(batcher.drainAll()).singleElement().satisfies(batch ->
                assertThat(batch.partition()).isEqualTo(new TopicPartition("t", 1)));
    }

    @Test
    void startsANewBatchWithTheRecordThatWouldPassTheByteLimit() {
        RecordBatcher batcher = new RecordBatcher(100, 250, Duration.ofSeconds(1));
        batcher.add(new TopicPartition("t", 0), record(0, 0, 100), 0);
        batcher.add(new TopicPartition("t", 0), record(0, 1, 100), 0);

        List<RecordBatch> complete = batcher.add(new TopicPartition("t", 0), record(0, 2, 100), 0);

        assertThat(complete).singleElement().satisfies(batch ->
                assertThat(batch.records()).extracting(ConsumerRecord::offset).containsExactly(0L, 1L));
        assertThat(batcher.drainAll()).singleElement().satisfies(batch ->
                assertThat(batch.records()).extracting(ConsumerRecord::offset).containsExactly(2L));
    }

    @Test
    void aRecordAsLargeAsTheLimitGoesAloneAndClosesTheBatchBeforeIt() {
        RecordBatcher batcher = new RecordBatcher(100, 250, Duration.ofSeconds(1));
        batcher.add(new TopicPartition("t", 0), record(0, 0, 100), 0);

        List<RecordBatch> complete = batcher.add(new TopicPartition("t", 0), record(0, 1, 300), 0);

        assertThat(complete).extracting(batch -> batch.records().get(0).offset()).containsExactly(0L, 1L);
        assertThat(complete).allSatisfy(batch -> assertThat(batch.size()).isEqualTo(1));
        assertThat(batcher.isEmpty()).isTrue();
    }

    @Test
    void aBatchIsDueWhenItsOldestRecordHasWaitedTheMaximumAge() {
        RecordBatcher batcher = new RecordBatcher(100, 1_000_000, Duration.ofSeconds(1));
        batcher.add(new TopicPartition("t", 0), record(0, 0, 10), 0);
        batcher.add(new TopicPartition("t", 1), record(1, 0, 10), SECOND / 2);

        assertThat(batcher.nanosUntilDue(SECOND / 4)).isEqualTo(3 * SECOND / 4);
        assertThat(batcher.due(SECOND - 1)).isEmpty();
        assertThat(batcher.due(SECOND)).extracting(RecordBatch::partition).containsExactly(new TopicPartition("t", 0));
        assertThat(batcher.nanosUntilDue(SECOND)).isEqualTo(SECOND / 2);
        assertThat(batcher.due(2 * SECOND)).extracting(RecordBatch::partition).containsExactly(new TopicPartition("t", 1));
        assertThat(batcher.nanosUntilDue(2 * SECOND)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void drainsOnlyThePartitionsAsked() {
        RecordBatcher batcher = new RecordBatcher(100, 1_000_000, Duration.ofSeconds(1));
        batcher.add(new TopicPartition("t", 0), record(0, 0, 10), 0);
        batcher.add(new TopicPartition("t", 1), record(1, 0, 10), 0);
        batcher.add(new TopicPartition("t", 2), record(2, 0, 10), 0);

        assertThat(batcher.drain(List.of(new TopicPartition("t", 1), new TopicPartition("t", 7))))
                .extracting(RecordBatch::partition).containsExactly(new TopicPartition("t", 1));
        assertThat(batcher.drainAll()).extracting(RecordBatch::partition)
                .containsExactlyInAnyOrder(new TopicPartition("t", 0), new TopicPartition("t", 2));
    }

    @Test
    void refusesLimitsBelowOne() {
        assertThatThrownBy(() -> new RecordBatcher(0, 10, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecordBatcher(1, 0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, int size) {
        return new ConsumerRecord<>("t", partition, offset, 0L, TimestampType.CREATE_TIME, 0, size, null, new byte[size],
                new RecordHeaders(), Optional.empty());
    }
}
