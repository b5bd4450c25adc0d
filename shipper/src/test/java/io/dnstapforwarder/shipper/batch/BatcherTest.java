package io.dnstapforwarder.shipper.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BatcherTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void completesABatchAtTheEventLimit() {
        Batcher batcher = new Batcher(3, 1_000_000, Duration.ofSeconds(1));

        assertThat(batcher.add(entry(0, "a"), 0)).isNull();
        assertThat(batcher.add(entry(1, "b"), 0)).isNull();
        Batch full = batcher.add(entry(2, "c"), 0);

        assertThat(full.size()).isEqualTo(3);
        assertThat(new String(full.body(), StandardCharsets.UTF_8)).isEqualTo("a\nb\nc\n");
        assertThat(batcher.isEmpty()).isTrue();
    }

    @Test
    void startsANewBatchWithTheEventThatWouldPassTheByteLimit() {
        Batcher batcher = new Batcher(100, 10, Duration.ofSeconds(1));

        assertThat(batcher.add(entry(0, "1234"), 0)).isNull();
        Batch full = batcher.add(entry(1, "567890"), 0);

        assertThat(full.entries()).extracting(e -> e.record().offset()).containsExactly(0L);
        assertThat(batcher.drain().entries()).extracting(e -> e.record().offset()).containsExactly(1L);
    }

    @Test
    void sendsAnEventLargerThanTheLimitAlone() {
        Batcher batcher = new Batcher(100, 10, Duration.ofSeconds(1));

        Batch full = batcher.add(entry(0, "a much longer event"), 0);

        assertThat(full.size()).isEqualTo(1);
    }

    @Test
    void becomesDueWhenTheOldestEventHasWaitedTheFlushInterval() {
        Batcher batcher = new Batcher(100, 1_000_000, Duration.ofSeconds(1));
        assertThat(batcher.due(5 * SECOND)).isFalse();
        assertThat(batcher.nanosUntilDue(0)).isEqualTo(Long.MAX_VALUE);

        batcher.add(entry(0, "a"), 2 * SECOND);
        batcher.add(entry(1, "b"), 2 * SECOND + SECOND / 2);

        assertThat(batcher.nanosUntilDue(2 * SECOND + SECOND / 2)).isEqualTo(SECOND / 2);
        assertThat(batcher.due(3 * SECOND - 1)).isFalse();
        assertThat(batcher.due(3 * SECOND)).isTrue();
    }

    @Test
    void forgetsTheEventsOfRevokedPartitions() {
        Batcher batcher = new Batcher(100, 1_000_000, Duration.ofSeconds(1));
        batcher.add(entry(0, "kept", 0), 0);
        batcher.add(entry(1, "gone", 1), 0);

        batcher.remove(List.of(new TopicPartition("t", 1)));

        assertThat(batcher.drain().entries()).extracting(e -> e.record().partition()).containsExactly(0);
    }

    @Test
    void compressesTheBodyWithGzip() throws Exception {
        Batch batch = new Batch(List.of(entry(0, "{\"event\":1}"), entry(1, "{\"event\":2}")));

        byte[] unzipped = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(batch.gzippedBody())).readAllBytes();

        assertThat(unzipped).isEqualTo(batch.body());
        assertThat(batch.bytes()).isEqualTo(batch.body().length);
    }

    @Test
    void refusesLimitsThatCannotWork() {
        assertThatThrownBy(() -> new Batcher(0, 10, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    private static Batch.Entry entry(long offset, String event) {
        return entry(offset, event, 0);
    }

    private static Batch.Entry entry(long offset, String event, int partition) {
        return new Batch.Entry(new ConsumerRecord<>("t", partition, offset, null, new byte[0]),
                event.getBytes(StandardCharsets.UTF_8));
    }
}
