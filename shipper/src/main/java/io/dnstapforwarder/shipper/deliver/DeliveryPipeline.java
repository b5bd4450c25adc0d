package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.shipper.deadletter.DeadLetterPublisher;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.micrometer.core.instrument.Gauge;
import java.time.Clock;
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
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers batches on a pool of worker threads (the render, compress and send work of
 * {@code --hec-concurrency} requests at once) and hands the batches it has settled back to the
 * consumer thread through a queue: the consumer thread alone touches the consumer and the offset
 * ledger, the workers never do. Batches of partitions a rebalance takes away can be abandoned.
 */
public final class DeliveryPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryPipeline.class);

    private final ExecutorService workers;
    private final ComponentMetrics metrics;
    private final BatchDelivery delivery;
    private final DeliveryMetrics deliveryMetrics;
    private final Queue<Settled> settled = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, Set<Delivery>> running = new ConcurrentHashMap<>();
    /** Signalled whenever a delivery ends, so that the consumer thread need not poll for room. */
    private final Object ended = new Object();

    /** @param acks indexer acknowledgement ({@link AckTracker#NONE} when HEC's success is enough) */
    public DeliveryPipeline(int concurrency, HecEventRenderer.Settings rendering, long maxRequestBytes, Sender sender,
            DeadLetterPublisher deadLetters, AckTracker acks, ComponentMetrics metrics, Clock clock) {
        this.metrics = metrics;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(concurrency, runnable -> {
            Thread thread = new Thread(runnable, "dnstap-deliver-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.deliveryMetrics = new DeliveryMetrics(metrics);
        this.delivery = new BatchDelivery(new BatchDelivery.Context(ThreadLocal.withInitial(() -> new HecEventRenderer(
                rendering)), maxRequestBytes, sender, deadLetters, acks, workers, metrics, deliveryMetrics, clock));
        Gauge.builder("dnstap.shipper.in.flight", this, DeliveryPipeline::inFlight).baseUnit("batches")
                .description("Batches handed to the workers and not yet settled").tags(metrics.tags())
                .register(metrics.registry());
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
        Delivery task = new Delivery(batch, epoch, ofPartition);
        ofPartition.add(task);
        workers.execute(task);
    }

    /**
     * One batch's delivery. It stays in its partition's set until the batch is settled (sent and,
     * with indexer acknowledgement, indexed) or its delivery ends otherwise. Cancelled, its worker
     * is interrupted; a confirmation that still arrives later carries the old epoch, which the
     * ledger ignores.
     */
    private final class Delivery implements Runnable {
        private final RecordBatch batch;
        private final long epoch;
        private final Set<Delivery> ofPartition;
        private Thread runner;
        private boolean cancelled;

        Delivery(RecordBatch batch, long epoch, Set<Delivery> ofPartition) {
            this.batch = batch;
            this.epoch = epoch;
            this.ofPartition = ofPartition;
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
                delivery.deliver(batch).whenComplete((ignored, error) -> {
                    if (error == null) {
                        settled.add(new Settled(batch, epoch));
                    } else if (!abandoned(error)) {
                        failed(error);
                    }
                    end();
                });
            } catch (InterruptedException e) {
                end(); // rebalance or shutdown: nothing settled, so nothing committed
            } catch (RuntimeException e) {
                failed(e);
                end();
            } finally {
                synchronized (this) {
                    runner = null;
                    Thread.interrupted(); // a cancel's interrupt must not reach the worker's next batch
                }
            }
        }

        private void end() {
            ofPartition.remove(this);
            synchronized (ended) {
                ended.notifyAll();
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (runner != null) {
                runner.interrupt();
            }
        }

        /** Not settled, so not committed: the records are delivered again after a restart or rebalance. */
        private void failed(Throwable error) {
            metrics.error("delivery_failed", Stage.PROCESSING);
            log.error("Delivering a batch of {} records of {} failed; they stay uncommitted", batch.size(),
                    batch.partition(), error);
        }
    }

    private static boolean abandoned(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof InterruptedException || cause instanceof CancellationException
                || cause instanceof RejectedExecutionException;
    }

    /** Events put on the dead-letter topic so far. */
    public long deadLettered() {
        return deliveryMetrics.deadLetteredEvents();
    }

    /** Batches queued, being delivered, or awaiting indexer acknowledgement. */
    public int inFlight() {
        return running.values().stream().mapToInt(Set::size).sum();
    }

    /** Waits until fewer than {@code limit} batches are in flight, at most {@code timeout}. */
    public void awaitRoom(int limit, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (ended) {
            long left;
            while (inFlight() >= limit && (left = deadline - System.nanoTime()) > 0) {
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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(p -> !running.getOrDefault(p, Set.of()).isEmpty())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(20);
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
    }

    public Set<TopicPartition> busyPartitions() {
        return running.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
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
