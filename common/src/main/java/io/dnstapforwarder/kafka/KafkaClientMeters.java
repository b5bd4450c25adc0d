package io.dnstapforwarder.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * A Kafka client's own metrics in the registry ({@code kafka_producer_*}, {@code kafka_consumer_*}).
 * Kafka creates some only once they have something to say (a consumer's lag per partition after
 * its first fetch), so they are looked for again every {@value #REFRESH_SECONDS} s instead of
 * Micrometer's minute: the lag is on {@code /metrics} soon after a shipper starts.
 */
public final class KafkaClientMeters implements AutoCloseable {

    private static final int REFRESH_SECONDS = 10;

    private final ScheduledExecutorService scheduler;
    private final KafkaClientMetrics metrics;

    private KafkaClientMeters(ScheduledExecutorService scheduler, KafkaClientMetrics metrics, MeterRegistry registry) {
        this.scheduler = scheduler;
        this.metrics = metrics;
        metrics.bindTo(registry);
    }

    public static KafkaClientMeters of(Producer<?, ?> producer, Iterable<Tag> tags, MeterRegistry registry) {
        ScheduledExecutorService scheduler = scheduler();
        return new KafkaClientMeters(scheduler, new KafkaClientMetrics(producer, tags, scheduler,
                Duration.ofSeconds(REFRESH_SECONDS)), registry);
    }

    public static KafkaClientMeters of(Consumer<?, ?> consumer, Iterable<Tag> tags, MeterRegistry registry) {
        ScheduledExecutorService scheduler = scheduler();
        return new KafkaClientMeters(scheduler, new KafkaClientMetrics(consumer, tags, scheduler,
                Duration.ofSeconds(REFRESH_SECONDS)), registry);
    }

    private static ScheduledExecutorService scheduler() {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kafka-metrics-refresh");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void close() {
        metrics.close();
        scheduler.shutdownNow();
    }
}
