package io.dnstapforwarder.shipper.consume;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded run (replay, redrive): every partition of the topic, taken without joining the
 * group's rebalancing, read over the records of {@link Bounds}, resuming after what its group
 * already committed there. Read to the end of the range, a partition is paused for good.
 */
public final class RangeSubscription implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(RangeSubscription.class);

    private final String topic;
    private final Bounds bounds;
    private final Set<TopicPartition> unfinished = new HashSet<>();
    private volatile Bounds.Range range;

    public RangeSubscription(String topic, Bounds bounds) {
        this.topic = topic;
        this.bounds = bounds;
    }

    /** The offsets the run covers, once it started; {@code null} before. */
    public Bounds.Range range() {
        return range;
    }

    @Override
    public void start(Consumer<byte[], byte[]> consumer, Owner owner) {
        Bounds.Range resolved = bounds.resolve(consumer, topic);
        List<TopicPartition> partitions = List.copyOf(resolved.start().keySet());
        consumer.assign(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        for (TopicPartition partition : partitions) {
            long start = resolved.start().get(partition);
            OffsetAndMetadata done = committed.get(partition);
            long position = done != null && done.offset() > start ? done.offset() : start;
            consumer.seek(partition, position);
            if (position < resolved.end().get(partition)) {
                unfinished.add(partition);
            } else {
                consumer.pause(List.of(partition));
            }
        }
        range = resolved;
        owner.assigned(partitions);
        log.info("Reading {} records of {} at most: offsets {} to {}", resolved.records(), topic, resolved.start(),
                resolved.end());
    }

    @Override
    public Admission admit(ConsumerRecord<byte[], byte[]> record) {
        if (record.offset() >= range.end().get(new TopicPartition(record.topic(), record.partition()))) {
            return Admission.PAST_END;
        }
        return bounds.includes(record) ? Admission.DELIVER : Admission.SKIP;
    }

    @Override
    public Collection<TopicPartition> resumable(Collection<TopicPartition> paused) {
        Set<TopicPartition> resume = new HashSet<>(paused);
        resume.retainAll(unfinished); // a partition read to the end of the range stays paused
        return resume;
    }

    @Override
    public boolean readToEnd(Consumer<byte[], byte[]> consumer) {
        unfinished.removeIf(partition -> consumer.position(partition) >= range.end().get(partition));
        return unfinished.isEmpty();
    }

    @Override
    public String toString() {
        return (bounds.from() == null ? "everything" : "the records from " + bounds.from())
                + (bounds.to() == null ? " up to now" : " until " + bounds.to()) + " of " + topic;
    }
}
