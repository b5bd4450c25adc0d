package io.dnstapforwarder.shipper.consume;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets may be committed: per partition, the first record not yet done (delivered to
 * HEC, or dead-lettered), so a commit never passes over an event HEC has not accepted, however
 * out of order batches complete.
 *
 * <p>Each time a partition is (re)assigned its state starts a new epoch; a completion reported
 * for an earlier epoch (work abandoned at a rebalance that finished anyway) is ignored, so it
 * cannot mark records of the new assignment as done.
 *
 * <p>Owned by the consumer thread; not thread-safe.
 */
final class OffsetLedger {

    private static final class PartitionState {
        final long epoch;
        final TreeSet<Long> pending = new TreeSet<>();
        long highestTracked = -1;
        long lastCommitted = -1;

        PartitionState(long epoch) {
            this.epoch = epoch;
        }
    }

    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private long epochs;

    /** A record was taken from Kafka and is on its way. */
    void track(TopicPartition partition, long offset) {
        PartitionState state = partitions.computeIfAbsent(partition, p -> new PartitionState(++epochs));
        state.pending.add(offset);
        state.highestTracked = Math.max(state.highestTracked, offset);
    }

    /** The current epoch of a tracked partition. */
    long epoch(TopicPartition partition) {
        PartitionState state = partitions.get(partition);
        if (state == null) {
            throw new IllegalStateException(partition + " is not tracked");
        }
        return state.epoch;
    }

    /** A record is done (HEC accepted it, or it went to the dead-letter topic), if its epoch is current. */
    void done(TopicPartition partition, long offset, long epoch) {
        PartitionState state = partitions.get(partition);
        if (state != null && state.epoch == epoch) {
            state.pending.remove(offset);
        }
    }

    /** Offsets to commit now: for each partition whose safe point moved since the last commit. */
    Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        partitions.forEach((partition, state) -> {
            if (state.highestTracked < 0) {
                return;
            }
            long next = state.pending.isEmpty() ? state.highestTracked + 1 : state.pending.first();
            if (next > state.lastCommitted) {
                offsets.put(partition, new OffsetAndMetadata(next));
            }
        });
        return offsets;
    }

    /** Records that the offsets were committed. */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            PartitionState state = partitions.get(partition);
            if (state != null) {
                state.lastCommitted = Math.max(state.lastCommitted, offset.offset());
            }
        });
    }

    /** Forgets partitions this consumer no longer owns; late completions for them are ignored. */
    void forget(Collection<TopicPartition> revoked) {
        revoked.forEach(partitions::remove);
    }

    /** Records taken and not yet done, over all partitions. */
    int inFlight() {
        return partitions.values().stream().mapToInt(state -> state.pending.size()).sum();
    }
}
