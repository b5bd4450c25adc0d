package io.dnstapforwarder.collector.publish;

import io.dnstapforwarder.collector.monitor.CollectorStats;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events to a Kafka topic with a bound on what is outstanding.
 *
 * <p>Each event takes its size from a byte budget before it is sent and gives it back when Kafka
 * answers. When the budget is spent, {@link #publish} blocks, so the connection reader stops
 * reading its socket and the DNS server's own buffer absorbs (and, as dnstap intends, drops) the
 * excess. The budget is kept below the producer's {@code buffer.memory}, so the producer itself
 * never blocks or fails a send for lack of buffer. While Kafka is unreachable the producer keeps
 * its records and retries them (delivery timeout is unbounded); a send that cannot even get
 * metadata is retried here. Nothing read from a socket is dropped for a transient Kafka problem.
 */
public final class KafkaEventPublisher implements EventPublisher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaEventPublisher.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final int budgetBytes;
    private final Semaphore budget;
    private final ComponentMetrics metrics;
    private final CollectorStats stats;
    private final Timer publishLatency;
    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);
    private final List<Header> headers = List.of(
            new RecordHeader(DnstapEvents.SCHEMA_HEADER, DnstapEvents.SCHEMA.getBytes(StandardCharsets.UTF_8)));
    private final AtomicLong failedEvents = new AtomicLong();
    private volatile boolean closing;

    /**
     * @param budgetBytes the most bytes outstanding at once; must be below the producer's
     *     {@code buffer.memory}
     */
    public KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, int budgetBytes, ComponentMetrics metrics,
            CollectorStats stats) {
        this.producer = producer;
        this.stats = stats;
        this.topic = topic;
        this.budgetBytes = budgetBytes;
        this.budget = new Semaphore(budgetBytes);
        this.metrics = metrics;
        this.publishLatency = Timer.builder("dnstap.collector.publish.latency")
                .description("From handing a frame to the Kafka producer to Kafka's acknowledgement")
                .tags(metrics.tags()).publishPercentileHistogram().register(metrics.registry());
        Gauge.builder("dnstap.collector.publish.outstanding", this, KafkaEventPublisher::outstandingBytes)
                .description("Bytes handed to Kafka and not yet acknowledged").baseUnit("bytes")
                .tags(metrics.tags()).register(metrics.registry());
    }

    @Override
    public void publish(byte[] event) throws InterruptedException {
        int size = Math.min(event.length, budgetBytes);
        budget.acquire(size);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, (Integer) null, (byte[]) null, event, headers);
        long handedAt = System.nanoTime();
        Callback callback = (metadata, exception) -> {
            budget.release(size);
            if (exception == null) {
                long latency = System.nanoTime() - handedAt;
                publishLatency.record(latency, TimeUnit.NANOSECONDS);
                stats.published(latency);
                metrics.sent(1, event.length);
            } else {
                failedEvents.incrementAndGet();
                stats.failed();
                metrics.error("kafka_publish_failed", Stage.SENDING);
                limitedLog.warn("publish-failed", "Kafka did not take an event of {} bytes: {}", event.length,
                        exception.toString());
            }
        };
        while (true) {
            try {
                producer.send(record, callback);
                return;
            } catch (TimeoutException e) {
                // No metadata yet (Kafka unreachable): the event was not taken. Keep it and try again.
                metrics.error("kafka_unavailable", Stage.SENDING);
                limitedLog.warn("unavailable", "Kafka is unavailable, holding the connection's data: {}", e.getMessage());
                if (closing || Thread.currentThread().isInterrupted()) {
                    budget.release(size);
                    throw new InterruptedException("publisher closing while Kafka is unavailable");
                }
            } catch (RuntimeException e) {
                budget.release(size);
                throw e;
            }
        }
    }

    @Override
    public long outstandingBytes() {
        return budgetBytes - budget.availablePermits();
    }

    /** Sends what is buffered, waiting at most {@code timeout}, and closes the producer. */
    public void close(Duration timeout) {
        closing = true;
        long outstanding = outstandingBytes();
        if (outstanding > 0) {
            log.info("Flushing {} bytes of events to Kafka (waiting at most {} s)", outstanding, timeout.toSeconds());
        }
        long failedBefore = failedEvents.get();
        producer.close(timeout);
        long lost = failedEvents.get() - failedBefore;
        if (lost > 0 || outstandingBytes() > 0) {
            log.error("{} events were not acknowledged by Kafka before shutdown", lost);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
