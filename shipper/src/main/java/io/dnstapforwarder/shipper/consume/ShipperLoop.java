package io.dnstapforwarder.shipper.consume;

import io.dnstapforwarder.kafka.KafkaRefusal;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.ops.Watchdog;
import io.dnstapforwarder.shipper.batch.RecordBatcher;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.PartitionStalls;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipper's consumer thread: poll, shape (what the rules drop is settled at once), batch by
 * partition, hand batches to the delivery pipeline,
 * take back what it settled, commit. It alone owns the consumer, the batcher and the
 * {@link OffsetLedger}; the pipeline's workers never touch them.
 *
 * <ul>
 *   <li>Offsets are committed only up to the first record not yet settled (delivered, or
 *       dead-lettered), however out of order concurrent batches finish.
 *   <li>When as many batches are in flight as the pipeline may hold, or every endpoint's circuit
 *       breaker is open, every assigned partition is paused: the consumer keeps its place in the
 *       group and fetches nothing more; Kafka holds the data until delivery can go on.
 *   <li>On a rebalance ({@link PartitionOwnership}), what is batched for the partitions going away
 *       is sent, the loop waits a while for their batches in flight, commits what settled, and
 *       abandons the rest (the new owner delivers it again: duplicates bounded by what was in
 *       flight).
 *   <li>Which partitions it reads, and whether it ends, is its {@link Subscription}'s: a group
 *       member follows the topic; a bounded run (replay, redrive) ends by itself once everything
 *       in its range is settled.
 * </ul>
 */
public final class ShipperLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ShipperLoop.class);
    private static final long MAX_POLL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long BUSY_POLL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Longest wait for room in a full pipeline before polling anyway (group membership, rebalances). */
    private static final Duration ROOM_WAIT = Duration.ofMillis(200);
    private static final Duration SHUTDOWN_FLUSH = Duration.ofSeconds(10);
    /**
     * The longest one turn of the loop may take: its own waits are far shorter (a poll 500 ms, a
     * rebalance's wait for deliveries 10 s, a synchronous commit Kafka's default API timeout of 60 s).
     */
    static final Duration TURN_LIMIT = Duration.ofSeconds(120);
    /** After Kafka refused the consumer, the next attempt waits this long (besides the client's own backoff). */
    static final Duration REFUSAL_PAUSE = Duration.ofSeconds(1);
    private static final Duration STOP_CHECK = Duration.ofMillis(50);

    private final Consumer<byte[], byte[]> consumer;
    private final String bootstrap;
    private final Subscription subscription;
    private final RecordBatcher batcher;
    private final Predicate<byte[]> shaping;
    private final DeliveryPipeline pipeline;
    private final PartitionStalls stalls;
    private final int maxInFlight;
    private final ComponentMetrics metrics;
    private final Time time;
    private final Handover handover;
    private final PartitionMeters meters;
    private final PartitionOwnership ownership;
    private final Watchdog watchdog;
    /** Null without {@code --transactions}. */
    private final TransactionPairing pairing;
    private final PartitionThrottle throttle;

    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile boolean completed;
    private volatile long lastPollNanos;
    private volatile boolean stopped;
    private volatile Throwable failure;
    private volatile String refusal;

    /**
     * @param bootstrap the Kafka the consumer reads, to name in messages
     * @param stalls partitions the workers cannot go on with: paused until they can
     * @param maxInFlight batches in flight before consumption pauses
     */
    public ShipperLoop(Consumer<byte[], byte[]> consumer, String bootstrap, Subscription subscription, RecordBatcher batcher,
            DeliveryPipeline pipeline, PartitionStalls stalls, int maxInFlight,
            ComponentMetrics metrics, Time time) {
        this(consumer, bootstrap, subscription, value -> true, batcher, pipeline, stalls, maxInFlight, metrics, time,
                Watchdog.NONE, PairingSettings.OFF);
    }

    /**
     * @param shaping whether a record goes on to the workers (false: shaping drops it, and it is
     *     settled at once, never batched)
     * @param watchdog where each turn of the loop is watched: one past {@link #TURN_LIMIT} makes the shipper not alive
     * @param transactions whether queries and responses are paired ({@link TransactionPairing})
     */
    public ShipperLoop(Consumer<byte[], byte[]> consumer, String bootstrap, Subscription subscription,
            Predicate<byte[]> shaping, RecordBatcher batcher, DeliveryPipeline pipeline, PartitionStalls stalls,
            int maxInFlight, ComponentMetrics metrics, Time time, Watchdog watchdog,
            PairingSettings transactions) {
        this.watchdog = watchdog;
        this.shaping = shaping;
        this.consumer = consumer;
        this.bootstrap = bootstrap;
        this.subscription = subscription;
        this.batcher = batcher;
        this.pipeline = pipeline;
        this.stalls = stalls;
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
        this.time = time;
        this.lastPollNanos = time.nanoTime();
        this.meters = new PartitionMeters(pipeline, metrics, lastPollNanos);
        this.handover = new Handover(consumer, pipeline);
        this.pairing = transactions.enabled() ? new TransactionPairing(transactions,
                (partition, transaction) -> batcher.add(partition, transaction, time.nanoTime()).forEach(handover::submit),
                metrics, time) : null;
        this.throttle = new PartitionThrottle(consumer, pipeline, stalls, subscription, maxInFlight);
        this.ownership = new PartitionOwnership(consumer, batcher, pipeline, handover, meters, () -> paused, metrics,
                pairing);
    }

    @Override
    public void run() {
        try {
            subscription.start(consumer, ownership);
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
        lastPollNanos = time.nanoTime(); // the loop is alive: it is Kafka that refuses
        long until = time.nanoTime() + REFUSAL_PAUSE.toNanos();
        while (running && time.nanoTime() < until) {
            time.sleep(STOP_CHECK); // a stop() meanwhile is seen within this
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
            int inFlight, Throwable failure, String kafkaRefusal, TransactionPairing.Stats transactions) {
    }

    public Status status() {
        return new Status(!stopped, Duration.ofNanos(time.nanoTime() - lastPollNanos), ownership.assigned(),
                ownership.ownedNames(), paused, pipeline.inFlight(), failure, refusal,
                pairing == null ? null : pairing.stats());
    }

    /** The partitions the loop owns now. */
    public Set<TopicPartition> owned() {
        return meters.partitions();
    }

    /** Per partition, the offset committed last: for a bounded run, how far it really got. */
    public Map<TopicPartition, Long> committed() {
        return handover.ledger().committedOffsets();
    }

    private void turn() throws InterruptedException {
        if (pipeline.inFlight() >= maxInFlight) {
            // Full: wait for a batch to end rather than sit in a poll of paused partitions, so that the
            // workers get their next batch as soon as they have room.
            pipeline.awaitRoom(maxInFlight, ROOM_WAIT);
        }
        handover.takeSettled();
        paused = throttle.apply();
        long now = time.nanoTime();
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(Duration.ofNanos(pollWait(now)));
            refusal = null;
        } catch (AuthenticationException | AuthorizationException e) {
            refused(e);
            return;
        }
        accept(records, time.nanoTime());
        if (pairing != null) {
            pairing.expire(consumer);
        }
        now = time.nanoTime();
        lastPollNanos = now;
        batcher.due(now).forEach(handover::submit);
        handover.takeSettled();
        if (subscription.readToEnd(consumer)) {
            finishRun();
        }
        handover.commit(false);
        meters.measureLag(consumer, handover.ledger().committedOffsets(), now);
    }

    /**
     * A bounded run read everything: flush; once every batch of it is settled (delivered or
     * dead-lettered, never merely ended), commit and stop.
     */
    private void finishRun() {
        if (pairing != null) {
            pairing.endAll(); // no partner will come: the range is read
        }
        batcher.drainAll().forEach(handover::submit);
        if (pipeline.inFlight() == 0) {
            handover.takeSettled();
            if (handover.ledger().batchesInFlight() > 0 || handover.ledger().holding()) {
                return; // a batch ended without being settled: never call the range done over it
            }
            handover.commit(true);
            completed = true;
            running = false;
        }
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
            OffsetLedger.ReadPosition position = handover.ledger().position(partition);
            Function<ConsumerRecord<byte[], byte[]>, Runnable> hold = held -> position.hold(held.offset())::release;
            long latest = Long.MIN_VALUE;
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                latest = Math.max(latest, record.timestamp());
                switch (subscription.admit(record)) {
                    case PAST_END -> consumer.pause(List.of(partition));
                    case SKIP -> position.read(record.offset(), false);
                    case DELIVER -> {
                        events++;
                        bytes += Math.max(0, record.serializedValueSize());
                        if (!shaping.test(record.value())) {
                            position.read(record.offset(), false); // dropped by shaping: settled, never batched
                        } else if (pairing == null || !pairing.offer(partition, record, hold)) {
                            position.read(record.offset(), true);
                            batcher.add(partition, record, now).forEach(handover::submit);
                        }
                    }
                }
            }
            if (pairing != null) {
                pairing.advance(partition, latest);
            }
        }
        if (events > 0) {
            metrics.received(events, bytes);
        }
    }

    /** On the way out: deliver what is batched and in flight (bounded), commit, leave the group. */
    private void finish() {
        try {
            if (pipeline.canSend()) {
                batcher.drainAll().forEach(handover::submit);
            }
            if (!pipeline.awaitIdle(pipeline.busyPartitions(), SHUTDOWN_FLUSH)) {
                log.warn("{} batches were not delivered before stopping; their records stay in Kafka and will be sent "
                        + "after restart", pipeline.inFlight());
            }
            handover.takeSettled();
            try {
                handover.commit(true);
            } catch (WakeupException e) {
                handover.commit(true); // the wakeup that stopped the loop was still pending
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
}
