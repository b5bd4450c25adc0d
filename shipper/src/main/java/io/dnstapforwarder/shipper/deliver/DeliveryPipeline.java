package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.batch.RecordBatcher.RecordBatch;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.micrometer.core.instrument.Gauge;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Delivers batches on a pool of worker threads (the render, compress and send work of
 * {@code --hec-concurrency} requests at once) and hands the records it has settled back to the
 * consumer thread through a queue: the consumer thread alone touches the consumer and the offset
 * ledger, the workers never do. Batches of partitions a rebalance takes away can be abandoned.
 */
public final class DeliveryPipeline implements AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DeliveryPipeline.class);

    private final ExecutorService workers;
    private final ComponentMetrics metrics;
    private final BatchDelivery delivery;
    private final Queue<Settled> settled = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, Set<Future<?>>> running = new ConcurrentHashMap<>();

    public DeliveryPipeline(int concurrency, HecEventRenderer.Settings rendering, long maxRequestBytes, Sender sender,
            DeadLetterPublisher deadLetters, ComponentMetrics metrics, Clock clock) {
        this.metrics = metrics;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(concurrency, runnable -> {
            Thread thread = new Thread(runnable, "dnstap-deliver-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.delivery = new BatchDelivery(new BatchDelivery.Context(ThreadLocal.withInitial(() -> new HecEventRenderer(
                rendering)), maxRequestBytes, sender, deadLetters, metrics, new DeliveryMetrics(metrics), clock));
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
        Set<Future<?>> ofPartition = running.computeIfAbsent(batch.partition(), p -> ConcurrentHashMap.newKeySet());
        Delivery task = new Delivery(batch, epoch, ofPartition);
        ofPartition.add(task);
        workers.execute(task);
    }

    /** One batch's delivery; it leaves its partition's set when it ends, however it ends (also cancelled unstarted). */
    private final class Delivery extends FutureTask<Void> {
        private final Set<Future<?>> ofPartition;

        Delivery(RecordBatch batch, long epoch, Set<Future<?>> ofPartition) {
            super(() -> {
                try {
                    delivery.deliver(batch);
                    settled.add(new Settled(batch, epoch));
                } catch (InterruptedException abandoned) {
                    // Rebalance or shutdown: nothing settled, nothing committed; Kafka gives the records out again.
                    Thread.currentThread().interrupt();
                } catch (RuntimeException bug) {
                    // Not settled, so not committed: the records are delivered again after a restart or rebalance.
                    metrics.error("delivery_failed", io.dnstapforwarder.metrics.Stage.PROCESSING);
                    log.error("Delivering a batch of {} records of {} failed; they stay uncommitted", batch.size(),
                            batch.partition(), bug);
                }
                return null;
            });
            this.ofPartition = ofPartition;
        }

        @Override
        protected void done() {
            ofPartition.remove(this);
        }
    }

    /** Batches queued or being delivered. */
    public int inFlight() {
        return running.values().stream().mapToInt(Set::size).sum();
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

    /** Abandons the batches of the given partitions (their records are not reported settled). */
    public void abandon(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            Set<Future<?>> futures = running.remove(partition);
            if (futures != null) {
                futures.forEach(future -> future.cancel(true));
            }
        }
    }

    public Set<TopicPartition> busyPartitions() {
        return running.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey)
                .collect(java.util.stream.Collectors.toSet());
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
