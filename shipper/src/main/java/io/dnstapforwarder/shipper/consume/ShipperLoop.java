package io.dnstapforwarder.shipper.consume;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.shipper.batch.Batch;
import io.dnstapforwarder.shipper.batch.Batcher;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.sink.EventSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
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
 * The shipper's one thread: poll Kafka, render, batch, deliver, commit. It owns the consumer,
 * the batcher, the queue of batches ready to send and the {@link OffsetLedger}; nothing here is
 * shared with other threads except a few volatile status fields for readiness.
 *
 * <p>Delivery rules:
 * <ul>
 *   <li>Offsets are committed only up to the first record not yet done (accepted by the sink, or
 *       dead-lettered).
 *   <li>A transient failure (or a configuration error such as a bad token) keeps the batch at the
 *       head of the queue, pauses every assigned partition (the consumer stays in its group and
 *       nothing more is fetched) and retries after an exponential, jittered backoff. Nothing is
 *       dropped while the endpoint is down: Kafka holds the data.
 *   <li>When the endpoint rejects the data: the events before the one HEC named count as delivered,
 *       that one goes to the dead-letter topic, the rest is sent again; when HEC names none, the
 *       batch is halved until the bad events are alone.
 *   <li>A record that is not a {@link DnstapEvent} goes to the dead-letter topic.
 * </ul>
 */
public final class ShipperLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ShipperLoop.class);
    private static final long MAX_POLL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Longest time spent sending before polling again, to stay well inside max.poll.interval.ms. */
    private static final long SEND_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Duration SHUTDOWN_FLUSH = Duration.ofSeconds(10);

    /** A batch waiting to go to the sink, or (with a failure) to the dead-letter topic. */
    private record Delivery(Batch batch, DeadLetterPublisher.Failure deadLetter) {
        Delivery without(Set<TopicPartition> partitions) {
            return new Delivery(batch.without(partitions), deadLetter);
        }
    }

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final HecEventRenderer renderer;
    private final Batcher batcher;
    private final EventSink sink;
    private final DeadLetterPublisher deadLetters;
    private final Backoff backoff;
    private final ComponentMetrics metrics;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Counter deadLettered;
    private final Timer deliveryTime;
    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);

    private final Deque<Delivery> ready = new ArrayDeque<>();
    private final OffsetLedger ledger = new OffsetLedger();
    private int failures;
    private Instant firstFailure;
    private long retryAtNanos;
    private boolean paused;

    private volatile boolean running = true;
    private volatile long lastPollNanos;
    private volatile boolean assigned;
    private volatile Outcome lastFailure;
    private volatile boolean stopped;

    public ShipperLoop(Consumer<byte[], byte[]> consumer, String topic, HecEventRenderer renderer, Batcher batcher,
            EventSink sink, DeadLetterPublisher deadLetters, Duration retryBase, Duration retryMax,
            ComponentMetrics metrics, Clock clock, LongSupplier nanoTime) {
        this.consumer = consumer;
        this.topic = topic;
        this.renderer = renderer;
        this.batcher = batcher;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.backoff = new Backoff(retryBase, retryMax, java.util.concurrent.ThreadLocalRandom.current()::nextDouble);
        this.metrics = metrics;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.lastPollNanos = nanoTime.getAsLong();
        this.deadLettered = Counter.builder("dnstap.shipper.dead.lettered").baseUnit("events")
                .description("Events put on the dead-letter topic").tags(metrics.tags()).register(metrics.registry());
        this.deliveryTime = Timer.builder("dnstap.shipper.delivery.latency")
                .description("Time of one delivery attempt of a batch to the sink").tags(metrics.tags())
                .publishPercentileHistogram().register(metrics.registry());
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic), new Rebalance());
        try {
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

    /** Asks the loop to flush what it can, commit, and stop; returns at once. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** For readiness: is the loop polling, does it own partitions, and what went wrong last. */
    public record Status(boolean running, Duration sincePoll, boolean assigned, Outcome lastFailure) {
    }

    public Status status() {
        return new Status(!stopped, Duration.ofNanos(nanoTime.getAsLong() - lastPollNanos), assigned, lastFailure);
    }

    private void turn() throws InterruptedException {
        long now = nanoTime.getAsLong();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofNanos(pollWait(now)))) {
            accept(record);
        }
        now = nanoTime.getAsLong();
        lastPollNanos = now;
        if (batcher.due(now)) {
            ready.add(new Delivery(batcher.drain(), null));
        }
        sendReady(now, SEND_BUDGET_NANOS);
        commit(false);
    }

    private long pollWait(long now) {
        long wait = MAX_POLL_WAIT_NANOS;
        if (!ready.isEmpty()) {
            wait = Math.min(wait, Math.max(0, retryAtNanos - now));
        }
        return Math.max(1_000_000, Math.min(wait, batcher.nanosUntilDue(now)));
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        ledger.track(partition, record.offset());
        metrics.received(1, Math.max(0, record.serializedValueSize()));
        DnstapEvent envelope;
        try {
            if (record.value() == null) {
                throw new InvalidProtocolBufferException("the record has no value");
            }
            envelope = DnstapEvent.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            metrics.error("undecodable_record", Stage.PROCESSING);
            ready.add(new Delivery(new Batch(List.of(new Batch.Entry(record, new byte[0]))), new DeadLetterPublisher.Failure(
                    "the record is not a dnstap event: " + e.getMessage(), "undecodable_record", clock.instant(), 1)));
            return;
        }
        Batch full = batcher.add(new Batch.Entry(record, renderer.render(envelope)), nanoTime.getAsLong());
        if (full != null) {
            ready.add(new Delivery(full, null));
        }
    }

    /** Sends ready batches, in order, until one fails, the queue is empty, or the budget is spent. */
    private void sendReady(long now, long budgetNanos) throws InterruptedException {
        if (ready.isEmpty() || now < retryAtNanos) {
            return;
        }
        long end = now + budgetNanos;
        while (!ready.isEmpty() && nanoTime.getAsLong() < end) {
            Delivery next = ready.peekFirst();
            long start = nanoTime.getAsLong();
            Outcome outcome = next.deadLetter() == null ? sink.deliver(next.batch()) : deadLetter(next);
            deliveryTime.record(nanoTime.getAsLong() - start, TimeUnit.NANOSECONDS);
            if (!handle(next, outcome)) {
                return;
            }
        }
        if (ready.isEmpty()) {
            resume();
        }
    }

    /** Applies an outcome; returns false when sending must wait (a failure). */
    private boolean handle(Delivery delivery, Outcome outcome) {
        Batch batch = delivery.batch();
        if (outcome instanceof Outcome.Delivered) {
            ready.pollFirst();
            if (delivery.deadLetter() == null) {
                metrics.sent(batch.size(), batch.bytes());
            } else {
                deadLettered.increment(batch.size());
            }
            done(batch.entries());
            recovered();
            return true;
        }
        if (outcome instanceof Outcome.Rejected rejected) {
            ready.pollFirst();
            metrics.error(rejected.errorCode(), Stage.SENDING);
            limitedLog.warn("rejected", "HEC rejected a batch of {} events ({}); isolating the bad events",
                    batch.size(), rejected.reason());
            isolate(batch, rejected);
            recovered();
            return true;
        }
        if (outcome instanceof Outcome.Retryable retryable) {
            failed(retryable.reason(), outcome, retryable.retryAfter(), false);
        } else if (outcome instanceof Outcome.Misconfigured misconfigured) {
            failed(misconfigured.reason(), outcome, null, true);
        }
        return false;
    }

    /**
     * Splits a rejected batch so that only the bad events reach the dead-letter topic: the events
     * before the one HEC named were indexed; that one is dead-lettered; the rest goes again.
     */
    private void isolate(Batch batch, Outcome.Rejected rejected) {
        int bad = rejected.invalidEventNumber();
        DeadLetterPublisher.Failure failure = new DeadLetterPublisher.Failure(rejected.reason(), rejected.errorCode(),
                firstFailure != null ? firstFailure : clock.instant(), failures + 1);
        if (bad >= 0 && bad < batch.size()) {
            Batch indexed = batch.slice(0, bad);
            metrics.sent(indexed.size(), indexed.bytes());
            done(indexed.entries());
            if (bad + 1 < batch.size()) {
                ready.addFirst(new Delivery(batch.slice(bad + 1, batch.size()), null));
            }
            ready.addFirst(new Delivery(batch.slice(bad, bad + 1), failure));
        } else if (batch.size() > 1) {
            int half = batch.size() / 2;
            ready.addFirst(new Delivery(batch.slice(half, batch.size()), null));
            ready.addFirst(new Delivery(batch.slice(0, half), null));
        } else {
            ready.addFirst(new Delivery(batch, failure));
        }
    }

    private Outcome deadLetter(Delivery delivery) throws InterruptedException {
        try {
            deadLetters.publish(delivery.batch().entries().stream().map(Batch.Entry::record).toList(), delivery.deadLetter());
            return new Outcome.Delivered(-1);
        } catch (RuntimeException e) {
            return new Outcome.Retryable("the dead-letter topic " + deadLetters.topic() + " did not take the records: " + e,
                    "dead_letter_failed", null);
        }
    }

    private void failed(String reason, Outcome outcome, Duration retryAfter, boolean configuration) {
        failures++;
        if (firstFailure == null) {
            firstFailure = clock.instant();
        }
        lastFailure = outcome;
        Duration delay = configuration ? backoff.max() : backoff.delay(failures, retryAfter);
        retryAtNanos = nanoTime.getAsLong() + delay.toNanos();
        metrics.error(outcome.errorCode(), Stage.SENDING);
        if (configuration) {
            limitedLog.error("misconfigured", "{} refuses our requests: {}. Check the HEC URL and token; nothing is sent "
                    + "until this is fixed, and the data waits in Kafka. Retrying in {} s", sink.describe(), reason,
                    delay.toSeconds());
        } else {
            limitedLog.warn("retry", "Delivery to {} failed ({}), attempt {}; consumption paused, retrying in {} ms",
                    sink.describe(), reason, failures, delay.toMillis());
        }
        pause();
    }

    private void recovered() {
        if (failures > 0) {
            log.info("Delivery to {} works again after {} failed attempts", sink.describe(), failures);
        }
        failures = 0;
        firstFailure = null;
        retryAtNanos = 0;
        lastFailure = null;
    }

    private void done(List<Batch.Entry> entries) {
        for (Batch.Entry entry : entries) {
            ledger.done(entry.partition(), entry.record().offset());
        }
    }

    private void pause() {
        if (!paused) {
            consumer.pause(consumer.assignment());
            paused = true;
        }
    }

    private void resume() {
        if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
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
                    limitedLog.warn("commit", "Committing offsets failed (the next commit retries): {}", error.toString());
                }
            });
        }
    }

    /** On the way out: send what is batched (one try, bounded), commit, leave the group. */
    private void finish() {
        try {
            if (!batcher.isEmpty()) {
                ready.add(new Delivery(batcher.drain(), null));
            }
            retryAtNanos = 0;
            sendReady(nanoTime.getAsLong(), SHUTDOWN_FLUSH.toNanos());
            if (!ready.isEmpty()) {
                log.warn("{} events were not delivered before stopping; they stay in Kafka and will be sent after restart",
                        ready.stream().mapToInt(d -> d.batch().size()).sum());
            }
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
            consumer.close(Duration.ofSeconds(10));
        }
    }

    /** Keeps the loop's state to the partitions it owns. Runs on the loop thread, inside poll. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
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
            if (paused) {
                consumer.pause(partitions);
            }
            if (!partitions.isEmpty()) {
                log.info("Assigned partitions {}", partitions);
            }
        }

        /** Forgets the events of partitions now owned elsewhere: the new owner reads them from the committed offset. */
        private void drop(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Set<TopicPartition> gone = new HashSet<>(partitions);
            List<Delivery> kept = ready.stream().map(d -> d.without(gone)).filter(d -> !d.batch().isEmpty()).toList();
            ready.clear();
            ready.addAll(kept);
            batcher.remove(gone);
            ledger.forget(gone);
            log.info("Partitions {} revoked", partitions);
        }
    }
}
