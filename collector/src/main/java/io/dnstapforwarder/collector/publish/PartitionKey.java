package io.dnstapforwarder.collector.publish;

import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;

/**
 * The Kafka record key the collector gives each event ({@code --partition-key}), which decides
 * its partition.
 */
public enum PartitionKey {

    /**
     * No key: Kafka fills one partition's batch at a time (its sticky partitioner), the cheapest
     * way to publish. A query and its response may land on different partitions.
     */
    NONE,

    /**
     * The event's DNS transaction ({@link TransactionKey}): a query and its response land on one
     * partition, so that any shipper of a group can pair them. Kafka then fills a batch per
     * partition at once: flat out, publishing runs at about half the rate, on 1.3x the CPU per
     * event (docs/PERFORMANCE.md).
     */
    TRANSACTION;

    /** Reads the key; one per reader thread (the peek keeps no state between events, only buffers). */
    private static final ThreadLocal<DnstapPeek> PEEKS = ThreadLocal.withInitial(DnstapPeek::new);

    /** The key of {@code event}, or null for none. */
    byte[] of(byte[] event) {
        if (this == NONE) {
            return null;
        }
        DnstapPeek peek = PEEKS.get();
        TransactionKey key = peek.read(event) ? TransactionKey.of(peek) : null;
        return key == null ? null : key.partitionKey();
    }
}
