package io.dnstapforwarder.shipper.consume;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * What a bounded run (replay, redrive) consumes: the records timestamped in {@code [from, to)},
 * either end open when null. {@code to == null} stops at the end of each partition as it was when
 * the run started, so a bounded run always ends, however much is appended meanwhile.
 */
public record Bounds(Instant from, Instant to) {

    /**
     * How far out of order timestamps may be in a partition (collectors' clocks differ; producers
     * stamp records): the offsets searched reach this much beyond each end of the range, and the
     * records there are kept or skipped by their own timestamp.
     */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    /** Everything in the topic when the run starts. */
    public static final Bounds EVERYTHING = new Bounds(null, null);

    public Bounds {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("the range is empty: " + from + " is not before " + to);
        }
    }

    /** True for a record inside the time range. */
    public boolean includes(ConsumerRecord<?, ?> record) {
        return (from == null || record.timestamp() >= from.toEpochMilli())
                && (to == null || record.timestamp() < to.toEpochMilli());
    }

    /**
     * Per partition of the topic, the offsets {@code [start, end)} holding the range: Kafka's time
     * index finds the first offset at or after each end, widened by {@link #CLOCK_SKEW} (records
     * are then checked one by one, since producers' timestamps need not rise with offsets).
     */
    public Range resolve(Consumer<?, ?> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> start = from == null ? beginning
                : offsetsAt(consumer, partitions, from.minus(CLOCK_SKEW), ends);
        Map<TopicPartition, Long> end = to == null ? ends : offsetsAt(consumer, partitions, to.plus(CLOCK_SKEW), ends);
        return new Range(start, end);
    }

    private static Map<TopicPartition, Long> offsetsAt(Consumer<?, ?> consumer, List<TopicPartition> partitions,
            Instant time, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp at = found.get(partition);
            offsets.put(partition, at != null ? at.offset() : ends.get(partition)); // nothing that late: the end
        }
        return offsets;
    }

    /** Offsets {@code [start, end)} per partition. */
    public record Range(Map<TopicPartition, Long> start, Map<TopicPartition, Long> end) {
        public Range {
            start = Map.copyOf(start);
            end = Map.copyOf(end);
        }

        /** Records in the offset range, before the time filter. */
        public long records() {
            return end.entrySet().stream().mapToLong(e -> Math.max(0, e.getValue() - start.get(e.getKey()))).sum();
        }
    }
}
