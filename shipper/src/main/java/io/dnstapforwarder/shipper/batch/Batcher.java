package io.dnstapforwarder.shipper.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Collects events into batches of at most {@code maxEvents} events and {@code maxBytes} bytes,
 * and says when the oldest event has waited {@code maxAge}. Time is passed in, so the rules are
 * testable without sleeping. Not thread-safe: owned by the consumer thread.
 */
public final class Batcher {

    private final int maxEvents;
    private final long maxBytes;
    private final long maxAgeNanos;
    private List<Batch.Entry> entries = new ArrayList<>();
    private long bytes;
    private long firstAddedAt;

    public Batcher(int maxEvents, long maxBytes, Duration maxAge) {
        if (maxEvents < 1 || maxBytes < 1 || maxAge.isNegative()) {
            throw new IllegalArgumentException("batch limits must be positive: " + maxEvents + " events, " + maxBytes
                    + " bytes, " + maxAge);
        }
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /**
     * Adds an event. Returns the batch that is complete because of it, or {@code null}: when the
     * event would push the batch over its byte limit, the batch so far is returned and the event
     * starts the next one; when it fills the batch to its event limit, the batch with it is returned.
     */
    public Batch add(Batch.Entry entry, long nowNanos) {
        long size = entry.event().length + 1L;
        Batch full = null;
        if (!entries.isEmpty() && bytes + size > maxBytes) {
            full = drain();
        }
        if (entries.isEmpty()) {
            firstAddedAt = nowNanos;
        }
        entries.add(entry);
        bytes += size;
        if (full == null && (entries.size() >= maxEvents || bytes >= maxBytes)) {
            full = drain();
        }
        return full;
    }

    /** True when there are events and the oldest has waited the maximum age. */
    public boolean due(long nowNanos) {
        return !entries.isEmpty() && nowNanos - firstAddedAt >= maxAgeNanos;
    }

    /** Nanoseconds until {@link #due} turns true; {@code Long.MAX_VALUE} when empty. */
    public long nanosUntilDue(long nowNanos) {
        return entries.isEmpty() ? Long.MAX_VALUE : Math.max(0, firstAddedAt + maxAgeNanos - nowNanos);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The events collected so far, as a batch; the batcher starts over empty. */
    public Batch drain() {
        Batch batch = new Batch(entries);
        entries = new ArrayList<>();
        bytes = 0;
        return batch;
    }

    /** Forgets the events of partitions this consumer no longer owns. */
    public void remove(Collection<TopicPartition> partitions) {
        Batch kept = drain().without(new HashSet<>(partitions));
        kept.entries().forEach(entry -> {
            entries.add(entry);
            bytes += entry.event().length + 1L;
        });
    }
}
