package io.dnstapforwarder.shipper.batch;

import io.dnstapforwarder.shipper.pair.Transaction;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumed records of one partition, in offset order, to deliver together, and the DNS
 * transactions that ended meanwhile. The records span the offsets the batch settles; a
 * transaction's records are held apart ({@link HeldRecord}), each released when the batch is
 * settled, so a batch may carry transactions only and span no offsets.
 */
public record RecordBatch(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records,
        List<Transaction<HeldRecord>> transactions) {

    public RecordBatch {
        records = List.copyOf(records);
        transactions = List.copyOf(transactions);
    }

    public RecordBatch(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
        this(partition, records, List.of());
    }

    /** Events the batch makes: one per record and one per transaction. */
    public int size() {
        return records.size() + transactions.size();
    }

    /** Whether the batch settles a range of offsets (else only its transactions' holds). */
    public boolean spansOffsets() {
        return !records.isEmpty();
    }

    public long firstOffset() {
        return records.get(0).offset();
    }

    public long lastOffset() {
        return records.get(records.size() - 1).offset();
    }

    /** Records first, then transactions, each as what becomes one event. */
    public List<BatchEntry> entries() {
        List<BatchEntry> entries = new ArrayList<>(size());
        records.forEach(record -> entries.add(BatchEntry.of(record)));
        transactions.forEach(transaction -> entries.add(BatchEntry.of(transaction)));
        return entries;
    }

    /** Releases the holds of every transaction's records: the batch is settled. Consumer thread only. */
    public void releaseHolds() {
        for (Transaction<HeldRecord> transaction : transactions) {
            if (transaction.query() != null) {
                transaction.query().release().run();
            }
            if (transaction.response() != null) {
                transaction.response().release().run();
            }
        }
    }
}
