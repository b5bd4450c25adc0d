package io.dnstapforwarder.collector.publish;

import io.dnstapforwarder.collector.monitor.CollectorMetrics;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.retry.Backoff;
import io.dnstapforwarder.time.Time;
import io.micrometer.core.instrument.Gauge;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events to a Kafka topic with a bound on what is outstanding, and loses nothing to a
 * transient Kafka problem.
 *
 * <p>Each event takes its size from a byte budget before it is sent and gives it back only when
 * Kafka acknowledged it. When the budget is spent, {@link #publish} blocks, so the connection
 * reader stops reading its socket and the DNS server's own buffer absorbs (and, as dnstap intends,
 * drops) the excess. The producer keeps records it has batched and retries them for as long as
 * it takes (its delivery timeout is unbounded). A send the producer refuses before batching (no
 * metadata while Kafka is unreachable) fails inside {@code send()} itself; such an event goes to a
 * retry queue that one thread sends again after a backoff. Each event is kept until Kafka
 * acknowledged it, so that a refusal reported after batching (authorization revoked) is sent again
 * too: a refusal holds the events and stops the reading like an outage, and readiness names it.
 * Only an event too large for Kafka ever is dropped, with a counter and a log line.
 */
public final class KafkaEventPublisher implements EventPublisher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaEventPublisher.class);
    /** The wait before sending refused events again, doubling while nothing gets through. */
    private static final Backoff RETRY_BACKOFF = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));
    /**
     * Heap an event in flight costs beyond its own bytes: the producer's per-record bookkeeping
     * (callbacks, future, headers, batch thunk) and ours, about 300 bytes, measured with a heap
     * histogram under load. Charging it keeps the budget an honest bound on memory.
     */
    static final int OVERHEAD_PER_EVENT = 300;

    /** An event to send, with the part of the budget it holds. */
    private record Pending(ProducerRecord<byte[], byte[]> record, int size, long handedAt) {
    }

    /**
     * One send once it left our hands: the event is kept until Kafka acknowledged it, so that a
     * refusal reported after batching (authorization revoked, say) can be sent again rather than
     * lost; the budget already counts its bytes. A failure reported while {@code send()} is still
     * running happened before batching; the sender then handles it itself.
     */
    private final class Completion implements Callback {
        private final Pending pending;
        private boolean sendReturned;
        private Exception failedBeforeBatching;

        Completion(Pending pending) {
            this.pending = pending;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            synchronized (this) {
                if (exception != null && !sendReturned) {
                    failedBeforeBatching = exception;
                    return;
                }
            }
            if (exception == null) {
                acknowledged(pending);
            } else {
                failed(pending, exception);
            }
        }

        /** Called by the sender when send() returned; the failure it must handle, if any. */
        synchronized Exception sendReturned() {
            sendReturned = true;
            return failedBeforeBatching;
        }
    }

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final int budgetBytes;
    private final Semaphore budget;
    private final CollectorMetrics metrics;
    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);
    private final List<Header> headers = List.of(
            new RecordHeader(DnstapEvents.SCHEMA_HEADER, DnstapEvents.SCHEMA.getBytes(StandardCharsets.UTF_8)));
    private final BlockingQueue<Pending> retries = new LinkedBlockingQueue<>();
    private final AtomicLong failedEvents = new AtomicLong();
    private final Thread retrier;
    private final Time time;
    private final PartitionKey partitionKey;
    private volatile boolean acknowledgedSinceRetry;
    private volatile String refusal;
    private volatile boolean closing;

    /**
     * @param budgetBytes the most bytes outstanding at once; must be below the producer's
     *     {@code buffer.memory}
     */
    public KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, int budgetBytes, CollectorMetrics metrics) {
        this(producer, topic, PartitionKey.NONE, budgetBytes, metrics, Time.SYSTEM);
    }

    /**
     * @param partitionKey the key each record gets, which decides its partition
     * @param time the clocks of publish latencies and deadlines, and the waits between retries
     */
    public KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, PartitionKey partitionKey, int budgetBytes,
            CollectorMetrics metrics, Time time) {
        this.time = time;
        this.partitionKey = partitionKey;
        this.producer = producer;
        this.topic = topic;
        this.budgetBytes = budgetBytes;
        this.budget = new Semaphore(budgetBytes);
        this.metrics = metrics;
        Gauge.builder("dnstap.collector.publish.outstanding", this, KafkaEventPublisher::outstandingBytes)
                .description("Bytes handed to Kafka and not yet acknowledged").baseUnit("bytes")
                .tags(metrics.tags()).register(metrics.registry());
        this.retrier = new Thread(this::retryLoop, "dnstap-publish-retry");
        retrier.setDaemon(true);
        retrier.start();
    }

    @Override
    public void publish(byte[] event) throws InterruptedException {
        int size = Math.min(event.length + OVERHEAD_PER_EVENT, budgetBytes);
        budget.acquire(size);
        send(new Pending(new ProducerRecord<>(topic, (Integer) null, partitionKey.of(event), event, headers), size,
                time.nanoTime()));
    }

    private void send(Pending pending) {
        Completion completion = new Completion(pending);
        Exception failure;
        try {
            producer.send(pending.record(), completion);
            failure = completion.sendReturned();
        } catch (KafkaException e) {
            completion.sendReturned();
            failure = e;
        }
        if (failure != null) {
            failed(pending, failure);
        }
    }

    /** One event Kafka acknowledged. Runs on the producer's I/O thread; must not block. */
    private void acknowledged(Pending pending) {
        budget.release(pending.size());
        acknowledgedSinceRetry = true;
        refusal = null;
        metrics.published(pending.record().value().length, time.nanoTime() - pending.handedAt());
    }

    /**
     * One event Kafka did not take. Only an event too large for Kafka is given up (it never can
     * be taken); any other failure, transient or not (no leader, authorization revoked, an
     * unknown topic), keeps the event for the retry thread, so the budget stays spent and reading
     * stops when it is: nothing is dropped while Kafka refuses us, and readiness says why.
     */
    private void failed(Pending pending, Exception failure) {
        int valueBytes = pending.record().value().length;
        if (failure instanceof RecordTooLargeException || closing) {
            budget.release(pending.size());
            failedEvents.incrementAndGet();
            metrics.failed(closing ? "kafka_publish_failed" : "kafka_record_too_large");
            metrics.discarded(1);
            limitedLog.error("lost", "Kafka did not take an event of {} bytes ({}); it is lost{}", valueBytes,
                    failure.toString(), closing ? "" : ". Raise the topic's max.message.bytes, or lower --max-frame-bytes");
            return;
        }
        if (failure instanceof RetriableException) {
            metrics.error("kafka_unavailable", Stage.SENDING);
            limitedLog.warn("unavailable", "Kafka is unavailable ({}); holding {} bytes of events and retrying",
                    failure.getMessage(), outstandingBytes());
        } else {
            refusal = failure.toString();
            metrics.error("kafka_refused", Stage.SENDING);
            limitedLog.error("refused", "Kafka refuses the collector's events ({}); holding {} bytes of them and "
                    + "retrying; reading stops once --publish-buffer-bytes are held", failure.toString(),
                    outstandingBytes());
        }
        retries.add(pending);
    }

    /** Why Kafka refuses the collector's events (not a transient failure), or null while it takes them. */
    public String refusal() {
        return refusal;
    }

    /** Sends the queued events again, all together, after a backoff that grows while nothing gets through. */
    private void retryLoop() {
        int roundsWithoutProgress = 1;
        try {
            while (!closing) {
                Pending first = retries.take();
                time.sleep(RETRY_BACKOFF.delay(roundsWithoutProgress));
                List<Pending> again = new ArrayList<>();
                again.add(first);
                retries.drainTo(again);
                roundsWithoutProgress = acknowledgedSinceRetry ? 1 : Math.min(roundsWithoutProgress + 1, 64);
                acknowledgedSinceRetry = false;
                again.forEach(this::send);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True while the thread that sends refused events again runs. */
    public boolean retrying() {
        return retrier.isAlive();
    }

    @Override
    public long outstandingBytes() {
        return budgetBytes - budget.availablePermits();
    }

    /** Sends what is buffered, waiting at most {@code timeout}, and closes the producer. */
    public void close(Duration timeout) {
        long outstanding = outstandingBytes();
        if (outstanding > 0) {
            log.info("Flushing {} bytes of events to Kafka (waiting at most {} s)", outstanding, timeout.toSeconds());
        }
        long deadline = time.nanoTime() + timeout.toNanos();
        // Let queued retries go out while Kafka may still take them, then stop retrying.
        while (!retries.isEmpty() && time.nanoTime() < deadline) {
            sleepQuietly(Duration.ofMillis(50));
        }
        closing = true;
        retrier.interrupt();
        long failedBefore = failedEvents.get();
        producer.close(Duration.ofNanos(Math.max(0, deadline - time.nanoTime())));
        int neverSent = retries.size(); // those the producer failed were counted as they failed
        metrics.discarded(neverSent);
        long lost = failedEvents.get() - failedBefore + neverSent;
        if (lost > 0 || outstandingBytes() > 0) {
            log.error("{} events ({} bytes) were not acknowledged by Kafka before shutdown", lost, outstandingBytes());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private void sleepQuietly(Duration duration) {
        try {
            time.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
