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
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Pairs each DNS query with its response, in either order of arrival, and ends what finds no
 * partner: a query after {@code queryWindow} as unanswered, a response after {@code responseWait}
 * as response-only. Halves with equal keys (a client that reuses its port and id for the same
 * question, a retransmission) pair first come, first served.
 *
 * <p>Time is each partition's stream time, in milliseconds, which the caller gives: a half is
 * stamped with its Kafka record's timestamp (when the collector received it), and ages as its
 * partition's clock moves on. So a replay, which reads an hour in seconds, ends an unanswered query
 * when it reads ten seconds past it, not ten seconds later; and a partition the loop does not read
 * (paused) keeps its clock still, and its halves wait, since their partners may be unread in Kafka.
 *
 * <p>Waiting halves are bounded: past {@code maxPending} the oldest is ended at once, unpaired, and
 * counted ({@link #evicted()}), so that a flood of queries nobody answers costs bounded memory and
 * never stalls.
 *
 * <p>Owned by the consumer thread; not thread-safe. What it keeps for a half ({@code H}) is the
 * caller's: the record, and whatever holds its offset back from being committed.
 *
 * @param <H> a half
 */
public final class TransactionPairer<H> {

    /** The clock of a partition whose halves must not age now. */
    public static final long STOPPED = Long.MIN_VALUE;

    private static final class Waiting<H> {
        final H half;
        final TransactionKey key;
        final boolean query;
        final TopicPartition partition;
        final long atMillis;

        Waiting(H half, TransactionKey key, boolean query, TopicPartition partition, long atMillis) {
            this.half = half;
            this.key = key;
            this.query = query;
            this.partition = partition;
            this.atMillis = atMillis;
        }
    }

    /** A partition's waiting queries and responses apart (they wait differently long), each in the order read. */
    private static final class PartitionHalves<H> {
        final LinkedHashSet<Waiting<H>> queries = new LinkedHashSet<>();
        final LinkedHashSet<Waiting<H>> responses = new LinkedHashSet<>();

        LinkedHashSet<Waiting<H>> of(boolean query) {
            return query ? queries : responses;
        }

        boolean isEmpty() {
            return queries.isEmpty() && responses.isEmpty();
        }

        /** The one of the two oldest read first. */
        Waiting<H> oldest() {
            Waiting<H> query = queries.isEmpty() ? null : queries.iterator().next();
            Waiting<H> response = responses.isEmpty() ? null : responses.iterator().next();
            if (query == null || response == null) {
                return query != null ? query : response;
            }
            return response.atMillis < query.atMillis ? response : query;
        }
    }

    private final long queryWindowMillis;
    private final long responseWaitMillis;
    private final int maxPending;
    /** The waiting halves of each key, oldest first. */
    private final Map<TransactionKey, ArrayDeque<Waiting<H>>> byKey = new HashMap<>();
    /** The waiting halves of each partition; a half that pairs leaves at once (identity sets). */
    private final Map<TopicPartition, PartitionHalves<H>> byPartition = new HashMap<>();
    private int pending;
    private long evicted;

    /**
     * @param queryWindowMillis how long a query waits for its response
     * @param responseWaitMillis how long a response waits for a query that comes after it
     * @param maxPending the most halves waiting at once
     */
    public TransactionPairer(long queryWindowMillis, long responseWaitMillis, int maxPending) {
        if (queryWindowMillis <= 0 || responseWaitMillis <= 0 || maxPending < 1) {
            throw new IllegalArgumentException("window " + queryWindowMillis + " ms, response wait "
                    + responseWaitMillis + " ms, max pending " + maxPending);
        }
        this.queryWindowMillis = queryWindowMillis;
        this.responseWaitMillis = responseWaitMillis;
        this.maxPending = maxPending;
    }

    /**
     * A half read from {@code partition}, stamped {@code atMillis}: its transaction when its
     * partner was waiting, else null (it waits now). When it makes the waiting halves too many, the
     * oldest are ended into {@code ended}.
     *
     * @param query whether the half is the query (else the response)
     */
    public Transaction<H> offer(H half, TransactionKey key, boolean query, TopicPartition partition, long atMillis,
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
        Waiting<H> waiting = new Waiting<>(half, key, query, partition, atMillis);
        byKey.computeIfAbsent(key, k -> new ArrayDeque<>(2)).addLast(waiting);
        byPartition.computeIfAbsent(partition, p -> new PartitionHalves<>()).of(query).add(waiting);
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
     * Ends, unpaired, the halves that waited long enough by their partition's clock ({@link #STOPPED}
     * for a partition whose halves must wait on); adds them to {@code ended}, oldest first by
     * partition and kind. A half stamped later than one read before it (a clock stepped back) ends
     * no earlier than that one.
     */
    public void expire(ToLongFunction<TopicPartition> clockMillis, List<Transaction<H>> ended) {
        for (Iterator<Map.Entry<TopicPartition, PartitionHalves<H>>> entries = byPartition.entrySet().iterator();
                entries.hasNext(); ) {
            Map.Entry<TopicPartition, PartitionHalves<H>> entry = entries.next();
            long now = clockMillis.applyAsLong(entry.getKey());
            if (now == STOPPED) {
                continue;
            }
            expire(entry.getValue().queries, now - queryWindowMillis, ended);
            expire(entry.getValue().responses, now - responseWaitMillis, ended);
            if (entry.getValue().isEmpty()) {
                entries.remove();
            }
        }
    }

    private void expire(LinkedHashSet<Waiting<H>> halves, long stampedBy, List<Transaction<H>> ended) {
        for (Iterator<Waiting<H>> waiting = halves.iterator(); waiting.hasNext(); ) {
            Waiting<H> first = waiting.next();
            if (first.atMillis > stampedBy) {
                break; // the rest were read later
            }
            waiting.remove();
            leaveKey(first);
            pending--;
            ended.add(Transaction.alone(first.half, first.query));
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
            PartitionHalves<H> waiting = byPartition.remove(partition);
            if (waiting == null) {
                continue;
            }
            for (LinkedHashSet<Waiting<H>> halves : List.of(waiting.queries, waiting.responses)) {
                halves.forEach(this::leaveKey);
                forgotten += halves.size();
            }
        }
        pending -= forgotten;
        return forgotten;
    }

    /** Ends every waiting half at once, unpaired: for a bounded run that read all it will read. */
    public void endAll(List<Transaction<H>> ended) {
        for (PartitionHalves<H> waiting : byPartition.values()) {
            for (LinkedHashSet<Waiting<H>> halves : List.of(waiting.queries, waiting.responses)) {
                for (Waiting<H> half : halves) {
                    leaveKey(half);
                    ended.add(Transaction.alone(half.half, half.query));
                }
            }
        }
        byPartition.clear();
        pending = 0;
    }

    /** Halves waiting for their partner now. */
    public int pending() {
        return pending;
    }

    /** Milliseconds the oldest waiting half has waited by its partition's clock; 0 when none waits. */
    public long oldestAgeMillis(ToLongFunction<TopicPartition> clockMillis) {
        long oldest = 0;
        for (Map.Entry<TopicPartition, PartitionHalves<H>> entry : byPartition.entrySet()) {
            long now = clockMillis.applyAsLong(entry.getKey());
            Waiting<H> first = entry.getValue().oldest();
            if (now != STOPPED && first != null) {
                oldest = Math.max(oldest, now - first.atMillis);
            }
        }
        return oldest;
    }

    /** Halves ended unpaired because too many waited, since the start. */
    public long evicted() {
        return evicted;
    }

    /** The halves still waiting, each partition's queries then responses, oldest first; for tests. */
    List<H> waiting() {
        List<H> halves = new ArrayList<>();
        byPartition.values().forEach(waiting -> {
            waiting.queries.forEach(half -> halves.add(half.half));
            waiting.responses.forEach(half -> halves.add(half.half));
        });
        return halves;
    }

    /** The waiting half stamped first, over all partitions; null when none waits. */
    private Waiting<H> oldest() {
        Waiting<H> oldest = null;
        for (PartitionHalves<H> waiting : byPartition.values()) {
            Waiting<H> first = waiting.oldest();
            if (first != null && (oldest == null || first.atMillis < oldest.atMillis)) {
                oldest = first;
            }
        }
        return oldest;
    }

    private void leavePartition(Waiting<H> half) {
        PartitionHalves<H> waiting = byPartition.get(half.partition);
        if (waiting != null && waiting.of(half.query).remove(half) && waiting.isEmpty()) {
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
