package io.dnstapforwarder.shipper.consume;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.batch.RecordBatcher;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the loop does when the group gives it partitions or takes them away. A partition going
 * away has what is batched for it sent, its batches in flight waited for a while, what settled
 * committed, and the rest abandoned to the new owner (duplicates bounded by what was in flight).
 * Runs on the consumer thread, inside poll.
 */
final class PartitionOwnership implements Subscription.Owner {

    private static final Logger log = LoggerFactory.getLogger(PartitionOwnership.class);
    private static final Duration REVOKE_WAIT = Duration.ofSeconds(10);

    private final Consumer<byte[], byte[]> consumer;
    private final RecordBatcher batcher;
    private final DeliveryPipeline pipeline;
    private final Handover handover;
    private final PartitionMeters meters;
    private final BooleanSupplier paused;
    private final Set<TopicPartition> owned = new HashSet<>();
    private final Counter assignedCount;
    private final Counter revokedCount;
    private volatile boolean assigned;
    private volatile List<String> ownedNames = List.of();
    private final TransactionPairing pairing;

    /**
     * @param paused whether the loop holds every partition now: one assigned meanwhile is paused at once
     * @param pairing the pairing of queries with responses, or null
     */
    PartitionOwnership(Consumer<byte[], byte[]> consumer, RecordBatcher batcher, DeliveryPipeline pipeline,
            Handover handover, PartitionMeters meters, BooleanSupplier paused, ComponentMetrics metrics,
            TransactionPairing pairing) {
        this.pairing = pairing;
        this.consumer = consumer;
        this.batcher = batcher;
        this.pipeline = pipeline;
        this.handover = handover;
        this.meters = meters;
        this.paused = paused;
        this.assignedCount = Counter.builder("dnstap.shipper.partitions.assigned")
                .description("Partitions the group gave this shipper, at each rebalance").tags(metrics.tags())
                .register(metrics.registry());
        this.revokedCount = Counter.builder("dnstap.shipper.partitions.revoked")
                .description("Partitions taken from this shipper (revoked or lost) at rebalances: with incremental "
                        + "rebalancing only those that change owner").tags(metrics.tags()).register(metrics.registry());
    }

    /** Whether the group assigned this member at all (it may own no partition: more members than partitions). */
    boolean assigned() {
        return assigned;
    }

    /** The partitions owned, by name, sorted: for readiness and /stats. */
    List<String> ownedNames() {
        return ownedNames;
    }

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
        assigned = true;
        owned.addAll(partitions);
        assignedCount.increment(partitions.size());
        updateOwned();
        if (paused.getAsBoolean()) {
            consumer.pause(partitions);
        }
        if (!partitions.isEmpty()) {
            log.info("Assigned partitions {}", partitions);
        }
    }

    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        if (pipeline.canSend()) {
            batcher.drain(partitions).forEach(handover::submit);
        }
        try {
            pipeline.awaitIdle(partitions, REVOKE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handover.takeSettled();
        handover.commitLeaving(partitions);
        lost(partitions);
    }

    /** Forgets partitions now owned elsewhere: the new owner reads them from the committed offset. */
    @Override
    public void lost(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Set<TopicPartition> gone = new HashSet<>(partitions);
        pipeline.abandon(gone);
        batcher.drain(gone);
        handover.ledger().forget(gone);
        if (pairing != null) {
            pairing.forget(gone); // held, never committed: the new owner pairs them
        }
        owned.removeAll(gone);
        updateOwned();
        revokedCount.increment(gone.size());
        log.info("Partitions {} revoked", partitions);
    }

    private void updateOwned() {
        ownedNames = owned.stream().map(TopicPartition::toString).sorted().toList();
        meters.track(owned);
    }
}
