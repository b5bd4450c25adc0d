package io.dnstapforwarder.shipper.consume;

import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.PartitionStalls;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions the consumer fetches, decided again each turn: none while the pipeline is full
 * or no endpoint takes requests, not those the workers stall or a bounded run has read to its end.
 * Consumer thread only.
 */
final class PartitionThrottle {

    private final Consumer<byte[], byte[]> consumer;
    private final DeliveryPipeline pipeline;
    private final PartitionStalls stalls;
    private final Subscription subscription;
    private final int maxInFlight;

    /** @param maxInFlight batches in flight before every partition pauses */
    PartitionThrottle(Consumer<byte[], byte[]> consumer, DeliveryPipeline pipeline, PartitionStalls stalls,
            Subscription subscription, int maxInFlight) {
        this.consumer = consumer;
        this.pipeline = pipeline;
        this.stalls = stalls;
        this.subscription = subscription;
        this.maxInFlight = maxInFlight;
    }

    /**
     * Pauses every partition while the pipeline is full or no endpoint takes requests, resumes after,
     * and returns whether every partition is held. A half-open breaker probes with the batches already in flight; only when there are none does
     * the loop fetch again, to give it something to probe with.
     */
    boolean apply() {
        boolean hold = pipeline.full(maxInFlight);
        Set<TopicPartition> assignment = consumer.assignment();
        Set<TopicPartition> pausedNow = consumer.paused();
        Set<TopicPartition> wanted = new HashSet<>(pausedNow);
        if (hold) {
            wanted.addAll(assignment);
        } else {
            wanted.removeAll(subscription.resumable(pausedNow));
            Set<TopicPartition> stalled = stalls.partitions();
            stalled.stream().filter(assignment::contains).forEach(wanted::add); // held by the workers: read no further
        }
        Set<TopicPartition> pause = new HashSet<>(wanted);
        pause.removeAll(pausedNow);
        Set<TopicPartition> resume = new HashSet<>(pausedNow);
        resume.removeAll(wanted);
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        return hold;
    }
}
