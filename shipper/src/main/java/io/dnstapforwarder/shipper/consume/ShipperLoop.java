package io.dnstapforwarder.shipper.consume;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.batch.RecordBatcher;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.Endpoints;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipper's consumer thread: poll, batch by partition, hand batches to the delivery pipeline,
 * take back what it settled, commit. It alone owns the consumer, the batcher and the
 * {@link OffsetLedger}; the pipeline's workers never touch them.
 *
 * <ul>
 *   <li>Offsets are committed only up to the first record not yet settled (delivered, or
 *       dead-lettered), however out of order concurrent batches finish.
 *   <li>When as many batches are in flight as the pipeline may hold, or every endpoint's circuit
 *       breaker is open, every assigned partition is paused: the consumer keeps its place in the
 *       group and fetches nothing more; Kafka holds the data until delivery can go on.
 *   <li>On a rebalance, what is batched for the partitions going away is sent, the loop waits a
 *       while for their batches in flight, commits what settled, and abandons the rest (the new
 *       owner delivers it again: duplicates bounded by what was in flight).
 *   <li>Given {@link Bounds} (replay, redrive), the loop takes every partition itself instead of
 *       joining the group's rebalancing, reads only the range (resuming after what its group
 *       already committed there), and ends by itself once everything in it is settled.
 * </ul>
 */
public final class ShipperLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ShipperLoop.class);
    private static final long MAX_POLL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long BUSY_POLL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final Duration REVOKE_WAIT = Duration.ofSeconds(10);
    /** Longest wait for room in a full pipeline before polling anyway (group membership, rebalances). */
    private static final Duration ROOM_WAIT = Duration.ofMillis(200);
    private static final Duration SHUTDOWN_FLUSH = Duration.ofSeconds(10);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecordBatcher batcher;
    private final DeliveryPipeline pipeline;
    private final Endpoints endpoints;
    private final int maxInFlight;
    private final ComponentMetrics metrics;
    private final LongSupplier nanoTime;
    private final OffsetLedger ledger = new OffsetLedger();
    private volatile boolean paused;

    private final Bounds bounds;
    private Bounds.Range range;
    private final Set<TopicPartition> unfinished = new HashSet<>();
    private volatile boolean completed;

    private volatile boolean running = true;
    private volatile long lastPollNanos;
    private volatile boolean assigned;
    private volatile List<String> owned = List.of();
    private volatile boolean stopped;

    /**
     * @param bounds what a bounded run consumes, or {@code null} to follow the topic as a group member
     * @param maxInFlight batches in flight before consumption pauses
     */
    public ShipperLoop(Consumer<byte[], byte[]> consumer, String topic, Bounds bounds, RecordBatcher batcher,
            DeliveryPipeline pipeline, Endpoints endpoints, int maxInFlight, ComponentMetrics metrics,
            LongSupplier nanoTime) {
        this.consumer = consumer;
        this.bounds = bounds;
        this.topic = topic;
        this.batcher = batcher;
        this.pipeline = pipeline;
        this.endpoints = endpoints;
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.lastPollNanos = nanoTime.getAsLong();
    }

    @Override
    public void run() {
        try {
            if (bounds == null) {
                consumer.subscribe(List.of(topic), new Rebalance());
            } else {
                assignRange();
            }
            while (running) {
                turn();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("The shipper loop failed; uncommitted records will be consumed again", e);
            throw e;
        } finally {
            finish();
            stopped = true;
        }
    }

    /** Takes every partition, positioned at the start of the range or after what the group committed in it. */
    private void assignRange() {
        range = bounds.resolve(consumer, topic);
        List<TopicPartition> partitions = List.copyOf(range.start().keySet());
        consumer.assign(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        for (TopicPartition partition : partitions) {
            long start = range.start().get(partition);
            OffsetAndMetadata done = committed.get(partition);
            long position = done != null && done.offset() > start ? done.offset() : start;
            consumer.seek(partition, position);
            if (position < range.end().get(partition)) {
                unfinished.add(partition);
            } else {
                consumer.pause(List.of(partition));
            }
        }
        assigned = true;
        owned = partitions.stream().map(TopicPartition::toString).sorted().toList();
        log.info("Reading {} records of {} at most: offsets {} to {}", range.records(), topic, range.start(), range.end());
    }

    /** The offsets a bounded run covers, once it started; {@code null} before or without bounds. */
    public Bounds.Range range() {
        return range;
    }

    /** True once a bounded run has settled and committed everything in its range. */
    public boolean completed() {
        return completed;
    }

    /** Asks the loop to deliver what it can, commit, and stop; returns at once. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /**
     * For readiness and /stats: is the loop polling, has it joined the group (it may own no
     * partition when the group has more members than the topic partitions), which partitions it
     * owns, is it paused.
     */
    public record Status(boolean running, Duration sincePoll, boolean assigned, List<String> partitions, boolean paused,
            int inFlight) {
    }

    public Status status() {
        return new Status(!stopped, Duration.ofNanos(nanoTime.getAsLong() - lastPollNanos), assigned, owned, paused,
                pipeline.inFlight());
    }

    private void turn() throws InterruptedException {
        if (pipeline.inFlight() >= maxInFlight) {
            // Full: wait for a batch to end rather than sit in a poll of paused partitions, so that the
            // workers get their next batch as soon as they have room.
            pipeline.awaitRoom(maxInFlight, ROOM_WAIT);
        }
        pipeline.drainSettled(this::settled);
        throttle();
        long now = nanoTime.getAsLong();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofNanos(pollWait(now)))) {
            accept(record);
        }
        now = nanoTime.getAsLong();
        lastPollNanos = now;
        batcher.due(now).forEach(this::submit);
        pipeline.drainSettled(this::settled);
        if (bounds != null) {
            checkRangeDone();
        }
        commit(false);
    }

    /** A bounded run: flushes once every partition is read to its end; stops once all of it settled. */
    private void checkRangeDone() {
        unfinished.removeIf(partition -> consumer.position(partition) >= range.end().get(partition));
        if (!unfinished.isEmpty()) {
            return;
        }
        batcher.drainAll().forEach(this::submit);
        if (pipeline.inFlight() == 0) {
            pipeline.drainSettled(this::settled);
            commit(true);
            completed = true;
            running = false;
        }
    }

    /**
     * Pauses every partition while the pipeline is full or no endpoint takes requests; resumes after.
     * A half-open breaker probes with the batches already in flight; only when there are none does
     * the loop fetch again, to give it something to probe with.
     */
    private void throttle() {
        int inFlight = pipeline.inFlight();
        boolean hold = inFlight >= maxInFlight || !endpoints.anyClosed() && (inFlight > 0 || !endpoints.anyAvailable());
        if (hold && !paused) {
            consumer.pause(consumer.assignment());
            paused = true;
        } else if (!hold && paused) {
            Set<TopicPartition> resume = new HashSet<>(consumer.paused());
            if (bounds != null) {
                resume.retainAll(unfinished); // a partition read to the end of the range stays paused
            }
            consumer.resume(resume);
            paused = false;
        }
    }

    private long pollWait(long now) {
        long wait = pipeline.inFlight() > 0 ? BUSY_POLL_WAIT_NANOS : MAX_POLL_WAIT_NANOS;
        return Math.max(1_000_000, Math.min(wait, batcher.nanosUntilDue(now)));
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (bounds != null && record.offset() >= range.end().get(partition)) {
            consumer.pause(List.of(partition)); // past the range: this partition is read
            return;
        }
        if (bounds != null && !bounds.includes(record)) {
            ledger.read(partition, record.offset(), false); // inside the offsets, outside the time: skipped
            return;
        }
        ledger.read(partition, record.offset(), true);
        metrics.received(1, Math.max(0, record.serializedValueSize()));
        batcher.add(record, nanoTime.getAsLong()).forEach(this::submit);
    }

    private void submit(RecordBatcher.RecordBatch batch) {
        List<ConsumerRecord<byte[], byte[]>> records = batch.records();
        ledger.batched(batch.partition(), records.get(0).offset(), records.get(records.size() - 1).offset());
        pipeline.submit(batch, ledger.epoch(batch.partition()));
    }

    private void settled(DeliveryPipeline.Settled settled) {
        ledger.done(settled.batch().partition(), settled.batch().records().get(0).offset(), settled.epoch());
    }

    private void commit(boolean sync) {
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

    /** On the way out: deliver what is batched and in flight (bounded), commit, leave the group. */
    private void finish() {
        try {
            if (endpoints.anyAvailable()) {
                batcher.drainAll().forEach(this::submit);
            }
            if (!pipeline.awaitIdle(pipeline.busyPartitions(), SHUTDOWN_FLUSH)) {
                log.warn("{} batches were not delivered before stopping; their records stay in Kafka and will be sent "
                        + "after restart", pipeline.inFlight());
            }
            pipeline.drainSettled(this::settled);
            try {
                commit(true);
            } catch (WakeupException e) {
                commit(true); // the wakeup that stopped the loop was still pending
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Final commit failed; the uncommitted records will be consumed again: {}", e.toString());
        } finally {
            pipeline.close();
            consumer.close(Duration.ofSeconds(10));
        }
    }

    /** Keeps the loop's state to the partitions it owns. Runs on the loop thread, inside poll. */
    private final class Rebalance implements ConsumerRebalanceListener {

        private final Set<TopicPartition> ownedPartitions = new HashSet<>();

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            if (endpoints.anyAvailable()) {
                batcher.drain(partitions).forEach(ShipperLoop.this::submit);
            }
            try {
                pipeline.awaitIdle(partitions, REVOKE_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pipeline.drainSettled(ShipperLoop.this::settled);
            Map<TopicPartition, OffsetAndMetadata> offsets = ledger.committable();
            offsets.keySet().retainAll(partitions);
            if (!offsets.isEmpty()) {
                try {
                    consumer.commitSync(offsets);
                } catch (RuntimeException e) {
                    log.warn("Committing revoked partitions failed; their uncommitted records go to the next owner: {}",
                            e.toString());
                }
            }
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = true;
            ownedPartitions.addAll(partitions);
            updateOwned();
            if (paused) {
                consumer.pause(partitions);
            }
            if (!partitions.isEmpty()) {
                log.info("Assigned partitions {}", partitions);
            }
        }

        /** Forgets partitions now owned elsewhere: the new owner reads them from the committed offset. */
        private void drop(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Set<TopicPartition> gone = new HashSet<>(partitions);
            pipeline.abandon(gone);
            batcher.drain(gone);
            ledger.forget(gone);
            ownedPartitions.removeAll(gone);
            updateOwned();
            log.info("Partitions {} revoked", partitions);
        }

        private void updateOwned() {
            owned = ownedPartitions.stream().map(TopicPartition::toString).sorted().toList();
        }
    }
}
