package io.dnstapforwarder.shipper.batch;

import io.dnstapforwarder.shipper.pair.Transaction;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What becomes one HEC event: a record, or the halves of one DNS transaction. Whatever happens to
 * the event (delivered, sent again, dead-lettered) happens to all of its records.
 *
 * @param record the record, or null for a transaction
 * @param transaction the transaction, or null for a record
 */
public record BatchEntry(ConsumerRecord<byte[], byte[]> record, Transaction<HeldRecord> transaction) {

    public static BatchEntry of(ConsumerRecord<byte[], byte[]> record) {
        return new BatchEntry(record, null);
    }

    public static BatchEntry of(Transaction<HeldRecord> transaction) {
        return new BatchEntry(null, transaction);
    }

    /** The records the event comes from: the query's first. */
    public List<ConsumerRecord<byte[], byte[]>> records() {
        if (transaction == null) {
            return List.of(record);
        }
        if (transaction.query() == null || transaction.response() == null) {
            return List.of((transaction.query() != null ? transaction.query() : transaction.response()).record());
        }
        return List.of(transaction.query().record(), transaction.response().record());
    }
}
