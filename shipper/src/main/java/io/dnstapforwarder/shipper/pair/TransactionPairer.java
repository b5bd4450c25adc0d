package io.dnstapforwarder.shipper.pair;

import io.dnstapforwarder.event.TransactionKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * Pairs each DNS query with its response, in either order of arrival, and ends what finds no
 * partner: a query after {@code window} as unanswered, a response as response-only. Halves with
 * equal keys (a client that reuses its port and id for the same question, a retransmission) pair
 * first come, first served.
 *
 * <p>Waiting halves are bounded: past {@code maxPending} the oldest is ended at once, unpaired, and
 * counted ({@link #evicted()}), so that a flood of queries nobody answers costs bounded memory and
 * never stalls. A half's age is counted on the consumer's monotonic clock from when it was read,
 * not from its DNS times: a server's clock may be anywhere, and a replay reads an hour in seconds.
 * Halves of a partition the loop cannot read meanwhile (paused) do not age out: their partners may
 * be waiting unread in Kafka.
 *
 * <p>Owned by the consumer thread; not thread-safe. What it keeps for a half ({@code H}) is the
 * caller's: the record, and whatever holds its offset back from being committed.
 *
 * @param <H> a half
 */
public final class TransactionPairer<H> {

    private static final class Waiting<H> {
        final H half;
        final TransactionKey key;
        final boolean query;
        final TopicPartition partition;
        final long readAtNanos;

        Waiting(H half, TransactionKey key, boolean query, TopicPartition partition, long readAtNanos) {
            this.half = half;
            this.key = key;
            this.query = query;
            this.partition = partition;
            this.readAtNanos = readAtNanos;
        }
    }

    private final long windowNanos;
    private final int maxPending;
    /** The waiting halves of each key, oldest first. */
    private final Map<TransactionKey, ArrayDeque<Waiting<H>>> byKey = new HashMap<>();
    /**
     * The waiting halves of each partition, in the order read, so the oldest is first; a half that
     * pairs leaves at once (identity set: no half is equal to another).
     */
    private final Map<TopicPartition, LinkedHashSet<Waiting<H>>> byPartition = new HashMap<>();
    private int pending;
    private long evicted;

    /**
     * @param windowNanos how long a half waits for its partner
     * @param maxPending the most halves waiting at once
     */
    public TransactionPairer(long windowNanos, int maxPending) {
        if (windowNanos <= 0 || maxPending < 1) {
            throw new IllegalArgumentException("window " + windowNanos + " ns, max pending " + maxPending);
        }
        this.windowNanos = windowNanos;
        this.maxPending = maxPending;
    }

    /**
     * A half read from {@code partition}: its transaction when its partner was waiting, else null
     * (it waits now). When it makes the waiting halves too many, the oldest are ended into
     * {@code ended}.
     *
     * @param query whether the half is the query (else the response)
     */
    public Transaction<H> offer(H half, TransactionKey key, boolean query, TopicPartition partition, long nowNanos,
            List<Transaction<H>> ended) {
        ArrayDeque<Waiting<H>> sameKey = byKey.get(key);
        if (sameKey != null) {
            for (Iterator<Waiting<H>> waiting = sameKey.iterator(); waiting.hasNext(); ) {
                Waiting<H> partner = waiting.next();
                if (partner.query != query) {
                    waiting.remove();
                    if (sameKey.isEmpty()) {
                        byKey.remove(key);
                    }
                    leavePartition(partner);
                    return query ? Transaction.paired(half, partner.half) : Transaction.paired(partner.half, half);
                }
            }
        }
        Waiting<H> waiting = new Waiting<>(half, key, query, partition, nowNanos);
        byKey.computeIfAbsent(key, k -> new ArrayDeque<>(2)).addLast(waiting);
        byPartition.computeIfAbsent(partition, p -> new LinkedHashSet<>()).add(waiting);
        pending++;
        while (pending > maxPending) {
            Waiting<H> oldest = oldest();
            leaveKey(oldest);
            leavePartition(oldest);
            evicted++;
            ended.add(Transaction.alone(oldest.half, oldest.query));
        }
        return null;
    }

    /**
     * Ends, unpaired, the halves that waited the window, of the partitions {@code readable} says
     * the loop reads; adds them to {@code ended}, each partition's oldest first.
     */
    public void expire(long nowNanos, Predicate<TopicPartition> readable, List<Transaction<H>> ended) {
        for (Iterator<Map.Entry<TopicPartition, LinkedHashSet<Waiting<H>>>> entries = byPartition.entrySet().iterator();
                entries.hasNext(); ) {
            Map.Entry<TopicPartition, LinkedHashSet<Waiting<H>>> entry = entries.next();
            if (!readable.test(entry.getKey())) {
                continue;
            }
            for (Iterator<Waiting<H>> waiting = entry.getValue().iterator(); waiting.hasNext(); ) {
                Waiting<H> first = waiting.next();
                if (nowNanos - first.readAtNanos < windowNanos) {
                    break; // the rest were read later
                }
                waiting.remove();
                leaveKey(first);
                pending--;
                ended.add(Transaction.alone(first.half, first.query));
            }
            if (entry.getValue().isEmpty()) {
                entries.remove();
            }
        }
    }

    /**
     * Forgets, without ending them, the halves of partitions this consumer no longer owns: their
     * offsets were never committed, so the new owner reads them again and pairs them there.
     * Returns how many were forgotten.
     */
    public int forget(Collection<TopicPartition> partitions) {
        int forgotten = 0;
        for (TopicPartition partition : partitions) {
            LinkedHashSet<Waiting<H>> waiting = byPartition.remove(partition);
            if (waiting == null) {
                continue;
            }
            for (Waiting<H> half : waiting) {
                leaveKey(half);
            }
            forgotten += waiting.size();
        }
        pending -= forgotten;
        return forgotten;
    }

    /** Ends every waiting half at once, unpaired: for a bounded run that read all it will read. */
    public void endAll(List<Transaction<H>> ended) {
        for (LinkedHashSet<Waiting<H>> waiting : byPartition.values()) {
            for (Waiting<H> half : waiting) {
                leaveKey(half);
                ended.add(Transaction.alone(half.half, half.query));
            }
        }
        byPartition.clear();
        pending = 0;
    }

    /** Halves waiting for their partner now. */
    public int pending() {
        return pending;
    }

    /** Nanoseconds the oldest waiting half has waited; 0 when none waits. */
    public long oldestAgeNanos(long nowNanos) {
        Waiting<H> oldest = oldest();
        return oldest == null ? 0 : Math.max(0, nowNanos - oldest.readAtNanos);
    }

    /** Halves ended unpaired because too many waited, since the start. */
    public long evicted() {
        return evicted;
    }

    /** The halves still waiting, each partition's oldest first; for tests. */
    List<H> waiting() {
        List<H> halves = new ArrayList<>();
        byPartition.values().forEach(queue -> queue.forEach(waiting -> halves.add(waiting.half)));
        return halves;
    }

    /** The waiting half read first, over all partitions; null when none waits. */
    private Waiting<H> oldest() {
        Waiting<H> oldest = null;
        for (LinkedHashSet<Waiting<H>> waiting : byPartition.values()) {
            if (!waiting.isEmpty()) {
                Waiting<H> first = waiting.iterator().next();
                if (oldest == null || first.readAtNanos - oldest.readAtNanos < 0) {
                    oldest = first;
                }
            }
        }
        return oldest;
    }

    private void leavePartition(Waiting<H> half) {
        LinkedHashSet<Waiting<H>> waiting = byPartition.get(half.partition);
        if (waiting != null && waiting.remove(half) && waiting.isEmpty()) {
            byPartition.remove(half.partition);
        }
        pending--;
    }

    private void leaveKey(Waiting<H> half) {
        ArrayDeque<Waiting<H>> sameKey = byKey.get(half.key);
        if (sameKey != null) {
            sameKey.remove(half);
            if (sameKey.isEmpty()) {
                byKey.remove(half.key);
            }
        }
    }
}
