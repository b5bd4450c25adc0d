package io.dnstapforwarder.shipper.consume;

import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between the consumer and the delivery workers: a batch goes to the workers once the
 * {@link OffsetLedger} holds it, what they settled comes back into the ledger, and what the ledger
 * says is settled is committed. Consumer thread only.
 */
final class Handover {

    private static final Logger log = LoggerFactory.getLogger(Handover.class);

    private final Consumer<byte[], byte[]> consumer;
    private final DeliveryPipeline pipeline;
    private final OffsetLedger ledger = new OffsetLedger();

    Handover(Consumer<byte[], byte[]> consumer, DeliveryPipeline pipeline) {
        this.consumer = consumer;
        this.pipeline = pipeline;
    }

    OffsetLedger ledger() {
        return ledger;
    }

    /** Hands a batch to the workers, tagged with its partition's current assignment. */
    void submit(RecordBatch batch) {
        if (batch.spansOffsets()) {
            ledger.batched(batch.partition(), batch.firstOffset(), batch.lastOffset());
        }
        pipeline.submit(batch, ledger.epoch(batch.partition()));
    }

    /**
     * Takes back every batch the workers settled since the last call: its offsets are done, and the
     * records its transactions held are released.
     */
    void takeSettled() {
        pipeline.drainSettled(settled -> {
            RecordBatch batch = settled.batch();
            if (batch.spansOffsets()) {
                ledger.done(batch.partition(), batch.firstOffset(), settled.epoch());
            }
            batch.releaseHolds();
        });
    }

    /** Commits what is settled; a failed asynchronous commit is retried by the next. */
    void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.committable();
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets);
            ledger.committed(offsets);
        } else {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error == null) {
                    ledger.committed(committed);
                } else {
                    log.warn("Committing offsets failed (the next commit retries): {}", error.toString());
                }
            });
        }
    }

    /** Commits what is settled of partitions going to another owner; what fails to commit, that owner sends again. */
    void commitLeaving(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.committable();
        offsets.keySet().retainAll(partitions);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (RuntimeException e) {
            log.warn("Committing revoked partitions failed; their uncommitted records go to the next owner: {}",
                    e.toString());
        }
    }
}
