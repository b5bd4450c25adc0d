package io.dnstapforwarder.shipper.deliver;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;

/**
 * The partitions whose delivery cannot go on for a reason that is not HEC being down (that is the
 * circuit breakers' business): the dead-letter topic does not take records, dead-lettering is
 * paused, a fault keeps recurring. The workers report and clear them; the consumer thread pauses
 * those partitions, so that nothing more is read for them and their offsets never pass what is
 * held; readiness names them. Thread-safe.
 */
public final class PartitionStalls {

    /** Why a partition is stalled, and since when (in the clock's nanoseconds). */
    public record Stall(String reason, long sinceNanos) {
    }

    private final Map<TopicPartition, Stall> stalls = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public PartitionStalls(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Delivery of the partition cannot go on, for {@code reason}; the first report of a stall keeps its start. */
    public void stall(TopicPartition partition, String reason) {
        stalls.compute(partition, (p, stall) -> new Stall(reason, stall == null ? nanoTime.getAsLong() : stall.sinceNanos()));
    }

    /** Delivery of the partition goes on again. */
    public void clear(TopicPartition partition) {
        stalls.remove(partition);
    }

    public boolean isStalled(TopicPartition partition) {
        return stalls.containsKey(partition);
    }

    public boolean any() {
        return !stalls.isEmpty();
    }

    /** Every stall, by partition name, for readiness and /stats: {@code "dnstap.events-2: reason (for 42 s)"}. */
    public Map<String, String> describe() {
        Map<String, String> described = new TreeMap<>();
        long now = nanoTime.getAsLong();
        stalls.forEach((partition, stall) -> described.put(partition.toString(), stall.reason() + " (for "
                + Duration.ofNanos(now - stall.sinceNanos()).toSeconds() + " s)"));
        return described;
    }

    public java.util.Set<TopicPartition> partitions() {
        return java.util.Set.copyOf(stalls.keySet());
    }
}
