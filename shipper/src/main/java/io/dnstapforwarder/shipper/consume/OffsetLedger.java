package io.dnstapforwarder.shipper.consume;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets may be committed: per partition, the first record not yet done (delivered to
 * HEC, or dead-lettered), so a commit never passes over an event HEC has not accepted, however
 * out of order batches complete.
 *
 * <p>It keeps batches, not records: a partition's records are read in offset order and batched in
 * that order, so its state is the batches in flight (each an offset range, in order), where the
 * records not yet in a batch begin, and the last offset read. That keeps the consumer thread's
 * bookkeeping to a few operations per batch instead of a tree insertion per record.
 *
 * <p>A record can also be held ({@link ReadPosition#hold}): read, in no batch of its own, yet not
 * to be committed past, because it waits for another (a DNS query for its response) or rides in
 * another record's batch. A hold is released when that is settled; the commit stops at the
 * first unreleased hold.
 *
 * <p>Each time a partition is (re)assigned its state starts a new epoch; a completion reported
 * for an earlier epoch (work abandoned at a rebalance that finished anyway) is ignored, so it
 * cannot mark records of the new assignment as done.
 *
 * <p>Owned by the consumer thread; not thread-safe.
 */
final class OffsetLedger {

    /** A batch in flight: records {@code [first, last]} of the partition. */
    private static final class Span {
        final long first;
        final long last;
        boolean done;

        Span(long first, long last) {
            this.first = first;
            this.last = last;
        }
    }

    /** Where a partition is read up to: taken once per poll, so that noting a record costs no lookup. */
    interface ReadPosition {

        /**
         * A record was read from Kafka. With {@code toDeliver} it goes into a batch (and is done
         * when that batch is); without, it is skipped and done at once.
         */
        void read(long offset, boolean toDeliver);

        /** A record was read and is held: nothing from it on is committed until the hold is released. */
        Hold hold(long offset);
    }

    /**
     * A held record's offset. Released on the consumer thread (when what carries the record is
     * settled); a hold of a partition this consumer no longer owns belongs to no state any more, and
     * releasing it changes nothing.
     */
    static final class Hold {
        private final long offset;
        private boolean released;

        private Hold(long offset) {
            this.offset = offset;
        }

        void release() {
            released = true;
        }

        long offset() {
            return offset;
        }
    }

    private static final class PartitionState implements ReadPosition {
        final long epoch;
        final ArrayDeque<Span> inFlight = new ArrayDeque<>();
        /** In offset order (records are read in order), released ones dropped from the front. */
        final ArrayDeque<Hold> holds = new ArrayDeque<>();
        long unbatchedFrom = -1;
        long lastRead = -1;
        /** The last record read to go into a batch. */
        long lastToDeliver = -1;
        long lastCommitted = -1;

        PartitionState(long epoch) {
            this.epoch = epoch;
        }

        @Override
        public void read(long offset, boolean toDeliver) {
            lastRead = offset;
            if (toDeliver) {
                lastToDeliver = offset;
                if (unbatchedFrom < 0) {
                    unbatchedFrom = offset;
                }
            }
        }

        @Override
        public Hold hold(long offset) {
            read(offset, false);
            Hold hold = new Hold(offset);
            holds.addLast(hold);
            return hold;
        }

        /** The first offset still held, or {@code Long.MAX_VALUE}. */
        long firstHeld() {
            while (!holds.isEmpty() && holds.peekFirst().released) {
                holds.removeFirst();
            }
            return holds.isEmpty() ? Long.MAX_VALUE : holds.peekFirst().offset;
        }
    }

    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private long epochs;

    /** The partition's read position, tracking the partition from now on if it was not. */
    ReadPosition position(TopicPartition partition) {
        return partitions.computeIfAbsent(partition, p -> new PartitionState(++epochs));
    }

    /** The records {@code [first, last]} left the batcher as one batch. */
    void batched(TopicPartition partition, long first, long last) {
        PartitionState state = partitions.get(partition);
        if (state == null) {
            throw new IllegalStateException(partition + " is not tracked");
        }
        state.inFlight.addLast(new Span(first, last));
        // The batcher closes a batch as soon as it is full, so at most the record that did not fit was
        // read after it to go into a batch: it begins the next one (held records read meanwhile are
        // no batch's).
        state.unbatchedFrom = state.lastToDeliver > last ? state.lastToDeliver : -1;
    }

    /** The current epoch of a tracked partition. */
    long epoch(TopicPartition partition) {
        PartitionState state = partitions.get(partition);
        if (state == null) {
            throw new IllegalStateException(partition + " is not tracked");
        }
        return state.epoch;
    }

    /** The batch starting at {@code first} is done, if its epoch is current. */
    void done(TopicPartition partition, long first, long epoch) {
        PartitionState state = partitions.get(partition);
        if (state == null || state.epoch != epoch) {
            return;
        }
        for (Iterator<Span> spans = state.inFlight.iterator(); spans.hasNext(); ) {
            Span span = spans.next();
            if (span.first == first) {
                span.done = true;
                break;
            }
        }
        while (!state.inFlight.isEmpty() && state.inFlight.peekFirst().done) {
            state.inFlight.removeFirst();
        }
    }

    /** Offsets to commit now: for each partition whose safe point moved since the last commit. */
    Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        partitions.forEach((partition, state) -> {
            if (state.lastRead < 0) {
                return;
            }
            long next = Math.min(state.firstHeld(), !state.inFlight.isEmpty() ? state.inFlight.peekFirst().first
                    : state.unbatchedFrom >= 0 ? state.unbatchedFrom : state.lastRead + 1);
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

    /** Per partition, the offset last committed (the first record not yet done); partitions never committed left out. */
    Map<TopicPartition, Long> committedOffsets() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        partitions.forEach((partition, state) -> {
            if (state.lastCommitted >= 0) {
                offsets.put(partition, state.lastCommitted);
            }
        });
        return offsets;
    }

    /** Batches in flight, over all partitions. */
    int batchesInFlight() {
        return partitions.values().stream().mapToInt(state -> state.inFlight.size()).sum();
    }

    /** Whether some record is still held, in any partition. */
    boolean holding() {
        return partitions.values().stream().anyMatch(state -> state.firstHeld() != Long.MAX_VALUE);
    }
}
