package io.dnstapforwarder.shipper.batch;

import io.dnstapforwarder.shipper.pair.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Collects consumed records, and the DNS transactions that end, into batches, one partition per
 * batch, of at most {@code maxRecords} events and {@code maxBytes} record bytes, and says when a
 * partition's oldest entry has waited {@code maxAge}. One partition per batch lets a rebalance cancel exactly the work of the
 * partitions it takes away. Time is passed in, so the rules are testable without sleeping.
 *
 * <p>The byte limit bounds the memory a batch holds (batches in flight times this), whatever the
 * records' size; it is not the size of a HEC request, which rendering decides
 * ({@code HecRequest.split}). Not thread-safe: owned by the consumer thread.
 */
public final class RecordBatcher {

    /**
     * Record bytes one batch holds at most: with a few dozen batches in flight, tens of MB, well
     * inside the shipper's heap however large hostile frames are (a batch of 1,000 real events
     * holds about 300 KB).
     */
    public static final long MAX_BATCH_RECORD_BYTES = 1 << 20;

    private static final class Open {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        final List<Transaction<HeldRecord>> transactions = new ArrayList<>(0);
        long bytes;
        long firstAddedAt;

        int size() {
            return records.size() + transactions.size();
        }

        RecordBatch close(TopicPartition partition) {
            return new RecordBatch(partition, records, transactions);
        }
    }

    private final int maxRecords;
    private final long maxBytes;
    private final long maxAgeNanos;
    private final Map<TopicPartition, Open> open = new HashMap<>();

    public RecordBatcher(int maxRecords, long maxBytes, Duration maxAge) {
        if (maxRecords < 1 || maxBytes < 1 || maxAge.isNegative()) {
            throw new IllegalArgumentException("batch limits must be positive: " + maxRecords + " records, " + maxBytes
                    + " bytes, " + maxAge);
        }
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /**
     * Adds a record and returns the batches it completes: none mostly; the partition's batch so
     * far when the record would push it over the byte limit (the record starts the next one); the
     * batch with the record when that reaches a limit; rarely both.
     *
     * @param partition the record's partition (the caller has it: building one per record would cost
     *     an allocation each at hundreds of thousands of records a second)
     */
    public List<RecordBatch> add(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, long nowNanos) {
        return add(partition, record, null, Math.max(0, record.serializedValueSize()), nowNanos);
    }

    /** Adds a DNS transaction that ended, as {@link #add(TopicPartition, ConsumerRecord, long)} adds a record. */
    public List<RecordBatch> add(TopicPartition partition, Transaction<HeldRecord> transaction, long nowNanos) {
        long size = 0;
        if (transaction.query() != null) {
            size += Math.max(0, transaction.query().record().serializedValueSize());
        }
        if (transaction.response() != null) {
            size += Math.max(0, transaction.response().record().serializedValueSize());
        }
        return add(partition, null, transaction, size, nowNanos);
    }

    private List<RecordBatch> add(TopicPartition partition, ConsumerRecord<byte[], byte[]> record,
            Transaction<HeldRecord> transaction, long size, long nowNanos) {
        List<RecordBatch> complete = List.of();
        Open batch = open.get(partition);
        if (batch != null && batch.bytes + size > maxBytes) {
            complete = new ArrayList<>(2);
            complete.add(close(partition));
            batch = null;
        }
        if (batch == null) {
            batch = new Open();
            batch.firstAddedAt = nowNanos;
            open.put(partition, batch);
        }
        if (record != null) {
            batch.records.add(record);
        } else {
            batch.transactions.add(transaction);
        }
        batch.bytes += size;
        if (batch.size() >= maxRecords || batch.bytes >= maxBytes) {
            if (complete.isEmpty()) {
                return List.of(close(partition));
            }
            complete.add(close(partition));
        }
        return complete;
    }

    /** The batches whose oldest record has waited the maximum age; they are closed. */
    public List<RecordBatch> due(long nowNanos) {
        List<RecordBatch> due = new ArrayList<>();
        Iterator<Map.Entry<TopicPartition, Open>> entries = open.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<TopicPartition, Open> entry = entries.next();
            if (nowNanos - entry.getValue().firstAddedAt >= maxAgeNanos) {
                due.add(entry.getValue().close(entry.getKey()));
                entries.remove();
            }
        }
        return due;
    }

    /** Nanoseconds until some batch is due; {@code Long.MAX_VALUE} when there is none. */
    public long nanosUntilDue(long nowNanos) {
        long soonest = Long.MAX_VALUE;
        for (Open batch : open.values()) {
            soonest = Math.min(soonest, Math.max(0, batch.firstAddedAt + maxAgeNanos - nowNanos));
        }
        return soonest;
    }

    public boolean isEmpty() {
        return open.isEmpty();
    }

    /** Every open batch of the given partitions, closed. */
    public List<RecordBatch> drain(Collection<TopicPartition> partitions) {
        List<RecordBatch> drained = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Open batch = open.remove(partition);
            if (batch != null) {
                drained.add(batch.close(partition));
            }
        }
        return drained;
    }

    /** Every open batch, closed. */
    public List<RecordBatch> drainAll() {
        return drain(List.copyOf(open.keySet()));
    }

    private RecordBatch close(TopicPartition partition) {
        return open.remove(partition).close(partition);
    }
}
