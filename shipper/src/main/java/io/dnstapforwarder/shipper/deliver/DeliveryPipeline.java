package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.retry.Backoff;
import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.shipper.deadletter.DeadLetterPublisher;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.shape.RecordRenderer;
import io.dnstapforwarder.time.Time;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers batches on a pool of worker threads (the render, compress and send work of
 * {@code --hec-concurrency} requests at once) and hands the batches it has settled back to the
 * consumer thread through a queue: the consumer thread alone touches the consumer and the offset
 * ledger, the workers never do. Batches of partitions a rebalance takes away can be abandoned.
 *
 * <p>A batch is never forgotten: if its delivery fails in a way {@link BatchDelivery} did not
 * absorb (a fault in its own safety net), the batch is delivered again after a backoff, its
 * partition reported stalled meanwhile, for as long as it takes.
 */
public final class DeliveryPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryPipeline.class);
    /** How often {@link #awaitIdle} looks whether the partitions' batches ended. */
    private static final Duration IDLE_CHECK = Duration.ofMillis(20);

    /**
     * What the workers deliver with.
     *
     * @param acks indexer acknowledgement ({@link AckTracker#NONE} when HEC's success is enough)
     * @param stalls where workers report partitions that cannot go on, and why
     * @param retries the waits after a fault and while dead letters cannot be written
     * @param time the clocks, and how workers wait on purpose
     */
    public record Parts(Sender sender, DeadLetterPublisher deadLetters, DeadLetterGate gate, AckTracker acks,
            PartitionStalls stalls, Backoff retries, Time time, ComponentMetrics metrics) {
    }

    private final ExecutorService workers;
    private final Parts parts;
    private final BatchDelivery delivery;
    private final DeliveryMetrics deliveryMetrics;
    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);
    private final Queue<Settled> settled = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, Set<Delivery>> running = new ConcurrentHashMap<>();
    /** Signalled whenever a delivery ends, so that the consumer thread need not poll for room. */
    private final Object ended = new Object();

    public DeliveryPipeline(int concurrency, HecEventRenderer.Settings rendering, long maxRequestBytes, Parts parts) {
        this(concurrency, () -> RecordRenderer.of(new HecEventRenderer(rendering)), maxRequestBytes, parts);
    }

    /** @param renderers makes each worker's renderer of records (one per thread: renderers keep buffers) */
    public DeliveryPipeline(int concurrency, Supplier<RecordRenderer> renderers, long maxRequestBytes, Parts parts) {
        this.parts = parts;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(concurrency, runnable -> {
            Thread thread = new Thread(runnable, "dnstap-deliver-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        ComponentMetrics metrics = parts.metrics();
        this.deliveryMetrics = new DeliveryMetrics(metrics);
        this.delivery = new BatchDelivery(new BatchDelivery.Context(ThreadLocal.withInitial(renderers), maxRequestBytes,
                parts.sender(), parts.deadLetters(), parts.gate(), parts.acks(), workers, parts.retries(), parts.time(), metrics, deliveryMetrics));
        Gauge.builder("dnstap.shipper.in.flight", this, DeliveryPipeline::inFlight).baseUnit("batches")
                .description("Batches handed to the workers and not yet settled").tags(metrics.tags())
                .register(metrics.registry());
        Gauge.builder("dnstap.shipper.dead.lettering.paused", parts.gate(), gate -> gate.open() ? 0 : 1)
                .description("1 while dead-lettering is paused because too much of the stream would go there")
                .tags(metrics.tags()).register(metrics.registry());
        Gauge.builder("dnstap.shipper.stalled.partitions", parts.stalls(), stalls -> stalls.partitions().size())
                .description("Partitions whose delivery waits for a fault to clear (the dead-letter topic, a recurring "
                        + "fault); /ready names them").tags(metrics.tags()).register(metrics.registry());
    }

    /** A batch whose every record is delivered or dead-lettered, with the epoch it was submitted in. */
    public record Settled(RecordBatch batch, long epoch) {
    }

    /**
     * Queues a batch for delivery; returns at once.
     *
     * @param epoch the caller's tag for the partition's current assignment, handed back when settled
     */
    public void submit(RecordBatch batch, long epoch) {
        Set<Delivery> ofPartition = running.computeIfAbsent(batch.partition(), p -> ConcurrentHashMap.newKeySet());
        Delivery task = new Delivery(batch, epoch, ofPartition, parts.stalls().hold(batch.partition()),
                parts.time().nanoTime());
        ofPartition.add(task);
        workers.execute(task);
    }

    /**
     * One batch's delivery. It stays in its partition's set until the batch is settled (sent and,
     * with indexer acknowledgement, indexed), or is abandoned. Cancelled, its worker is
     * interrupted; a confirmation that still arrives later carries the old epoch, which the ledger
     * ignores. What it stalls it holds through its own {@link PartitionStalls.Hold}, which ends with it.
     */
    private final class Delivery implements Runnable {
        private final RecordBatch batch;
        private final long epoch;
        private final Set<Delivery> ofPartition;
        private final PartitionStalls.Hold hold;
        private final long submittedAt;
        private Thread runner;
        private boolean cancelled;
        private int faults;

        Delivery(RecordBatch batch, long epoch, Set<Delivery> ofPartition, PartitionStalls.Hold hold, long submittedAt) {
            this.batch = batch;
            this.epoch = epoch;
            this.ofPartition = ofPartition;
            this.hold = hold;
            this.submittedAt = submittedAt;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                runner = Thread.currentThread();
            }
            try {
                if (faults > 0) {
                    parts.time().sleep(parts.retries().delay(faults));
                }
                delivery.deliver(batch, hold).whenComplete((ignored, error) -> {
                    if (error == null) {
                        settled.add(new Settled(batch, epoch));
                        end();
                    } else if (abandoned(error)) {
                        end();
                    } else {
                        again(error);
                    }
                });
            } catch (InterruptedException e) {
                end(); // rebalance or shutdown: nothing settled, so nothing committed
            } catch (RuntimeException | Error e) {
                again(e);
            } finally {
                synchronized (this) {
                    runner = null;
                    Thread.interrupted(); // a cancel's interrupt must not reach the worker's next batch
                }
            }
        }

        /** Not settled: delivered again after a backoff, never forgotten, the partition stalled meanwhile. */
        private void again(Throwable error) {
            faults++;
            parts.metrics().error("delivery_failed", Stage.PROCESSING);
            limitedLog.error("again", "Delivering a batch of {} records of {} failed ({}); delivering it again (fault {})",
                    batch.size(), batch.partition(), error.toString(), faults, error);
            hold.stall("delivering a batch keeps failing: " + error);
            synchronized (this) {
                if (cancelled) {
                    end();
                    return;
                }
            }
            try {
                workers.execute(this);
            } catch (RejectedExecutionException shuttingDown) {
                end();
            }
        }

        private void end() {
            hold.end();
            ofPartition.remove(this);
            synchronized (ended) {
                ended.notifyAll();
            }
        }

        /** Ends the hold first: a worker interrupted in the middle of a stall must not raise it again. */
        synchronized void cancel() {
            cancelled = true;
            hold.end();
            if (runner != null) {
                runner.interrupt();
            }
        }
    }

    private static boolean abandoned(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof InterruptedException || cause instanceof CancellationException
                || cause instanceof RejectedExecutionException;
    }

    /**
     * Whether to take no more work: {@code maxInFlight} batches are in flight, or no endpoint takes
     * requests. While every breaker is open a half-open one probes with the batches in flight;
     * only when there are none is new work taken, to give it something to probe with.
     */
    public boolean full(int maxInFlight) {
        int inFlight = inFlight();
        Endpoints endpoints = parts.sender().endpoints();
        return inFlight >= maxInFlight || !endpoints.anyClosed() && (inFlight > 0 || !endpoints.anyAvailable());
    }

    /** Whether some endpoint would take a request now: what is batched may be handed over. */
    public boolean canSend() {
        return parts.sender().endpoints().anyAvailable();
    }

    /** Events put on the dead-letter topic so far. */
    public long deadLettered() {
        return deliveryMetrics.deadLetteredEvents();
    }

    /** Batches queued, being delivered, or awaiting indexer acknowledgement. */
    public int inFlight() {
        return running.values().stream().mapToInt(Set::size).sum();
    }

    /** How long the oldest batch of the partition has been in flight; zero when none is. */
    public Duration oldestInFlight(TopicPartition partition) {
        long now = parts.time().nanoTime();
        long oldest = running.getOrDefault(partition, Set.of()).stream().mapToLong(delivery -> delivery.submittedAt)
                .min().orElse(now);
        return Duration.ofNanos(now - oldest);
    }

    /** Waits until fewer than {@code limit} batches are in flight, at most {@code timeout}. */
    public void awaitRoom(int limit, Duration timeout) throws InterruptedException {
        long deadline = parts.time().nanoTime() + timeout.toNanos();
        synchronized (ended) {
            long left;
            while (inFlight() >= limit && (left = deadline - parts.time().nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(ended, left);
            }
        }
    }

    /** Hands every batch settled since the last call to {@code done}; call on the consumer thread. */
    public void drainSettled(Consumer<Settled> done) {
        Settled batch;
        while ((batch = settled.poll()) != null) {
            done.accept(batch);
        }
    }

    /** Waits until no batch of the given partitions is in flight, at most {@code timeout}. */
    public boolean awaitIdle(Collection<TopicPartition> partitions, Duration timeout) throws InterruptedException {
        long deadline = parts.time().nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(p -> !running.getOrDefault(p, Set.of()).isEmpty())) {
            if (parts.time().nanoTime() > deadline) {
                return false;
            }
            parts.time().sleep(IDLE_CHECK);
        }
        return true;
    }

    /** Abandons the batches of the given partitions: they are never reported settled. */
    public void abandon(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            Set<Delivery> deliveries = running.remove(partition);
            if (deliveries != null) {
                deliveries.forEach(Delivery::cancel);
            }
        }
        parts.stalls().release(Set.copyOf(partitions));
    }

    public Set<TopicPartition> busyPartitions() {
        return running.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    /** False once the workers are gone (after {@link #close()}, or if the pool died): nothing can be delivered. */
    public boolean working() {
        return !workers.isShutdown();
    }

    /** Abandons everything still in flight and stops the workers. */
    @Override
    public void close() {
        abandon(List.copyOf(running.keySet()));
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
