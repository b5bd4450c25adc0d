package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The partitions whose delivery cannot go on for a reason that is not HEC being down (that is the
 * circuit breakers' business): the dead-letter topic does not take records, dead-lettering is
 * paused, a fault keeps recurring. The consumer thread pauses those partitions, so that nothing
 * more is read for them and their offsets never pass what is held; readiness names them.
 *
 * <p>A stall belongs to the delivery that raised it, through that delivery's {@link Hold}: it lasts
 * until the same delivery clears it, or {@linkplain Hold#end() ends} (settled, abandoned, cancelled).
 * An ended hold raises nothing more, so a worker interrupted half way (a rebalance took its
 * partition) cannot stall a partition the shipper no longer owns, and a batch that was retried
 * and then delivered leaves no stall behind. A partition is stalled while any of its holds is.
 * Thread-safe.
 */
public final class PartitionStalls {

    /** Why a partition is stalled, and since when (in the clock's nanoseconds). */
    public record Stall(String reason, long sinceNanos) {
    }

    private final Map<TopicPartition, Map<Hold, Stall>> stalls = new ConcurrentHashMap<>();
    private final Time time;

    public PartitionStalls(Time time) {
        this.time = time;
    }

    /** A new hold on {@code partition}, for one delivery. */
    public Hold hold(TopicPartition partition) {
        return new Hold(partition);
    }

    /** One delivery's say on whether its partition can go on. */
    public final class Hold {
        private final TopicPartition partition;
        private boolean ended;

        private Hold(TopicPartition partition) {
            this.partition = partition;
        }

        public TopicPartition partition() {
            return partition;
        }

        /** The partition cannot go on, for {@code reason}; the first report keeps its start. Ignored once ended. */
        public synchronized void stall(String reason) {
            if (ended) {
                return;
            }
            stalls.compute(partition, (p, holds) -> {
                Map<Hold, Stall> of = holds != null ? holds : new ConcurrentHashMap<>();
                Stall before = of.get(this);
                of.put(this, new Stall(reason, before == null ? time.nanoTime() : before.sinceNanos()));
                return of;
            });
        }

        /** This delivery no longer holds the partition back. */
        public synchronized void clear() {
            stalls.computeIfPresent(partition, (p, holds) -> {
                holds.remove(this);
                return holds.isEmpty() ? null : holds;
            });
        }

        /** The delivery is over: its stall is cleared, and it can raise none again. */
        public synchronized void end() {
            ended = true;
            clear();
        }

        @Override
        public String toString() {
            return partition.toString();
        }
    }

    /** Ends every hold on these partitions: they are no longer this shipper's. */
    public void release(Set<TopicPartition> partitions) {
        partitions.forEach(stalls::remove);
    }

    public boolean isStalled(TopicPartition partition) {
        return stalls.containsKey(partition);
    }

    public boolean any() {
        return !stalls.isEmpty();
    }

    /**
     * Every stall, by partition name, for readiness and /stats: {@code "dnstap.events-2: reason (for 42 s)"}
     * (the oldest, when several deliveries of a partition are held).
     */
    public Map<String, String> describe() {
        Map<String, String> described = new TreeMap<>();
        long now = time.nanoTime();
        stalls.forEach((partition, holds) -> holds.values().stream()
                .min((a, b) -> Long.compare(a.sinceNanos(), b.sinceNanos()))
                .ifPresent(stall -> described.put(partition.toString(), stall.reason() + " (for "
                        + Duration.ofNanos(now - stall.sinceNanos()).toSeconds() + " s)")));
        return described;
    }

    public Set<TopicPartition> partitions() {
        return Set.copyOf(stalls.keySet());
    }
}
