package io.dnstapforwarder.shipper.consume;

import io.dnstapforwarder.kafka.KafkaRefusal;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.ops.Watchdog;
import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.shipper.batch.RecordBatcher;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.Endpoints;
import io.dnstapforwarder.shipper.deliver.PartitionStalls;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
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
 *   <li>Which partitions it reads, and whether it ends, is its {@link Subscription}'s: a group
 *       member follows the topic; a bounded run (replay, redrive) ends by itself once everything
 *       in its range is settled.
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
    /** How often the lag from the committed offsets is measured (a request to the brokers). */
    private static final long LAG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * The longest one turn of the loop may take: its own waits are far shorter (a poll 500 ms, a
     * rebalance's wait for deliveries 10 s, a synchronous commit Kafka's default API timeout of 60 s).
     */
    static final Duration TURN_LIMIT = Duration.ofSeconds(120);
    /** After Kafka refused the consumer, the next attempt waits this long (besides the client's own backoff). */
    static final Duration REFUSAL_PAUSE = Duration.ofSeconds(1);

    private final Consumer<byte[], byte[]> consumer;
    private final String bootstrap;
    private final Subscription subscription;
    private final RecordBatcher batcher;
    private final DeliveryPipeline pipeline;
    private final Endpoints endpoints;
    private final PartitionStalls stalls;
    private final int maxInFlight;
    private final ComponentMetrics metrics;
    private final LongSupplier nanoTime;
    private final OffsetLedger ledger = new OffsetLedger();
    private final Set<TopicPartition> owned = new HashSet<>();
    private final PartitionMeters meters;
    private final Counter partitionsAssigned;
    private final Counter partitionsRevoked;
    private final Watchdog watchdog;

    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile boolean completed;
    private volatile long lastPollNanos;
    private volatile boolean assigned;
    private volatile List<String> ownedNames = List.of();
    private volatile boolean stopped;
    private volatile Throwable failure;
    private volatile String refusal;
    private long lagMeasuredAt;

    /**
     * @param bootstrap the Kafka the consumer reads, to name in messages
     * @param stalls partitions the workers cannot go on with: paused until they can
     * @param maxInFlight batches in flight before consumption pauses
     */
    public ShipperLoop(Consumer<byte[], byte[]> consumer, String bootstrap, Subscription subscription, RecordBatcher batcher,
            DeliveryPipeline pipeline, Endpoints endpoints, PartitionStalls stalls, int maxInFlight,
            ComponentMetrics metrics, LongSupplier nanoTime) {
        this(consumer, bootstrap, subscription, batcher, pipeline, endpoints, stalls, maxInFlight, metrics, nanoTime,
                Watchdog.NONE);
    }

    /** @param watchdog where each turn of the loop is watched: one past {@link #TURN_LIMIT} makes the shipper not alive */
    public ShipperLoop(Consumer<byte[], byte[]> consumer, String bootstrap, Subscription subscription, RecordBatcher batcher,
            DeliveryPipeline pipeline, Endpoints endpoints, PartitionStalls stalls, int maxInFlight,
            ComponentMetrics metrics, LongSupplier nanoTime, Watchdog watchdog) {
        this.watchdog = watchdog;
        this.consumer = consumer;
        this.bootstrap = bootstrap;
        this.subscription = subscription;
        this.batcher = batcher;
        this.pipeline = pipeline;
        this.endpoints = endpoints;
        this.stalls = stalls;
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.lastPollNanos = nanoTime.getAsLong();
        this.lagMeasuredAt = lastPollNanos;
        this.meters = new PartitionMeters(pipeline, metrics);
        this.partitionsAssigned = Counter.builder("dnstap.shipper.partitions.assigned")
                .description("Partitions the group gave this shipper, at each rebalance").tags(metrics.tags())
                .register(metrics.registry());
        this.partitionsRevoked = Counter.builder("dnstap.shipper.partitions.revoked")
                .description("Partitions taken from this shipper (revoked or lost) at rebalances: with incremental "
                        + "rebalancing only those that change owner").tags(metrics.tags()).register(metrics.registry());
    }

    @Override
    public void run() {
        try {
            subscription.start(consumer, new Ownership());
            while (running) {
                try (Watchdog.Call call = watchdog.enter("in one turn of the consumer loop (poll, rebalance, commit)",
                        TURN_LIMIT)) {
                    turn();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("The shipper loop failed; /health answers 503 so that the shipper is restarted, and the "
                    + "uncommitted records will be consumed again", e);
            throw e;
        } finally {
            finish();
            stopped = true;
        }
    }

    /** True once a bounded run has settled and committed everything it reads. */
    public boolean completed() {
        return completed;
    }

    /**
     * Kafka refused the consumer: credentials, TLS or an ACL. Nothing but a configuration change
     * mends that, and the broker's users may be created after the shipper starts, so the loop
     * keeps asking (each time after {@link #REFUSAL_PAUSE}) with readiness saying why, rather than
     * failing into a restart loop whose log scrolls the reason away.
     */
    private void refused(RuntimeException e) throws InterruptedException {
        String explanation = KafkaRefusal.explain(e, bootstrap);
        if (!explanation.equals(refusal)) {
            log.error("Cannot consume: {}", explanation);
        }
        refusal = explanation;
        metrics.error("kafka_refused", Stage.RECEIVING);
        lastPollNanos = nanoTime.getAsLong(); // the loop is alive: it is Kafka that refuses
        long until = System.nanoTime() + REFUSAL_PAUSE.toNanos();
        while (running && System.nanoTime() < until) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
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
            int inFlight, Throwable failure, String kafkaRefusal) {
    }

    public Status status() {
        return new Status(!stopped, Duration.ofNanos(nanoTime.getAsLong() - lastPollNanos), assigned, ownedNames, paused,
                pipeline.inFlight(), failure, refusal);
    }

    /** The partitions the loop owns now. */
    public Set<TopicPartition> owned() {
        return meters.partitions();
    }

    /** Per partition, the offset committed last: for a bounded run, how far it really got. */
    public Map<TopicPartition, Long> committed() {
        return ledger.committedOffsets();
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
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(Duration.ofNanos(pollWait(now)));
            refusal = null;
        } catch (AuthenticationException | AuthorizationException e) {
            refused(e);
            return;
        }
        accept(records, nanoTime.getAsLong());
        now = nanoTime.getAsLong();
        lastPollNanos = now;
        batcher.due(now).forEach(this::submit);
        pipeline.drainSettled(this::settled);
        if (subscription.readToEnd(consumer)) {
            finishRun();
        }
        commit(false);
        if (now - lagMeasuredAt >= LAG_PERIOD_NANOS) {
            lagMeasuredAt = now;
            measureLag();
        }
    }

    /**
     * A bounded run read everything: flush; once every batch of it is settled (delivered or
     * dead-lettered, never merely ended), commit and stop.
     */
    private void finishRun() {
        batcher.drainAll().forEach(this::submit);
        if (pipeline.inFlight() == 0) {
            pipeline.drainSettled(this::settled);
            if (ledger.batchesInFlight() > 0) {
                return; // a batch ended without being settled: never call the range done over it
            }
            commit(true);
            completed = true;
            running = false;
        }
    }

    /** Records from the last committed offset to the end of each partition: the shipper's own lag. */
    private void measureLag() {
        Set<TopicPartition> partitions = meters.partitions();
        if (partitions.isEmpty()) {
            return;
        }
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(2));
            Map<TopicPartition, Long> committed = ledger.committedOffsets();
            ends.forEach((partition, end) -> {
                Long from = committed.get(partition);
                if (from != null) {
                    meters.lag(partition, Math.max(0, end - from));
                }
            });
        } catch (RuntimeException e) {
            log.debug("Measuring lag failed: {}", e.toString());
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
        paused = hold;
    }

    private long pollWait(long now) {
        long wait = pipeline.inFlight() > 0 ? BUSY_POLL_WAIT_NANOS : MAX_POLL_WAIT_NANOS;
        return Math.max(1_000_000, Math.min(wait, batcher.nanosUntilDue(now)));
    }

    /**
     * Takes a poll's records, partition by partition (one {@link TopicPartition} and one ledger
     * lookup each, not one per record), and counts them once: at a few hundred thousand records a
     * second, what is done per record is the loop's cost.
     */
    private void accept(ConsumerRecords<byte[], byte[]> records, long now) {
        long events = 0;
        long bytes = 0;
        for (TopicPartition partition : records.partitions()) {
            OffsetLedger.ReadPosition position = ledger.position(partition);
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                switch (subscription.admit(record)) {
                    case PAST_END -> consumer.pause(List.of(partition));
                    case SKIP -> position.read(record.offset(), false);
                    case DELIVER -> {
                        position.read(record.offset(), true);
                        events++;
                        bytes += Math.max(0, record.serializedValueSize());
                        batcher.add(partition, record, now).forEach(this::submit);
                    }
                }
            }
        }
        if (events > 0) {
            metrics.received(events, bytes);
        }
    }

    private void submit(RecordBatch batch) {
        ledger.batched(batch.partition(), batch.firstOffset(), batch.lastOffset());
        pipeline.submit(batch, ledger.epoch(batch.partition()));
    }

    private void settled(DeliveryPipeline.Settled settled) {
        ledger.done(settled.batch().partition(), settled.batch().firstOffset(), settled.epoch());
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
    private final class Ownership implements Subscription.Owner {

        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            assigned = true;
            owned.addAll(partitions);
            partitionsAssigned.increment(partitions.size());
            updateOwned();
            if (paused) {
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
            ledger.forget(gone);
            owned.removeAll(gone);
            updateOwned();
            partitionsRevoked.increment(gone.size());
            log.info("Partitions {} revoked", partitions);
        }

        private void updateOwned() {
            ownedNames = owned.stream().map(TopicPartition::toString).sorted().toList();
            meters.track(owned);
        }
    }
}
