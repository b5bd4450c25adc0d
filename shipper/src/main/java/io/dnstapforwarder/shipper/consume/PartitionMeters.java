package io.dnstapforwarder.shipper.consume;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The meters the shipper keeps per partition it owns: its lag from the committed offset (Kafka's
 * own {@code records_lag} follows the fetch position, and is not there at all while a partition is
 * paused, that is, during every HEC outage), and how long its oldest batch has been in flight.
 * Rows follow the partitions owned: a partition that goes away leaves the meters.
 */
final class PartitionMeters {

    private static final Logger log = LoggerFactory.getLogger(PartitionMeters.class);
    /** How often the lag from the committed offsets is measured (a request to the brokers). */
    private static final long LAG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(2);

    private final DeliveryPipeline pipeline;
    private final Tags tags;
    private final MultiGauge lagGauge;
    private final MultiGauge ageGauge;
    private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();
    private volatile Set<TopicPartition> partitions = Set.of();
    private long lagMeasuredAt;

    /** @param now the consumer thread's clock now: the first lag is measured a period after it */
    PartitionMeters(DeliveryPipeline pipeline, ComponentMetrics metrics, long now) {
        this.lagMeasuredAt = now;
        this.pipeline = pipeline;
        this.tags = metrics.tags();
        this.lagGauge = MultiGauge.builder("dnstap.shipper.lag").baseUnit("records")
                .description("Records of the partition after the offset the shipper last committed")
                .register(metrics.registry());
        this.ageGauge = MultiGauge.builder("dnstap.shipper.unsettled.age").baseUnit("seconds")
                .description("How long the partition's oldest batch has been waiting for delivery; 0 when none waits")
                .register(metrics.registry());
    }

    /** The partitions owned now: one row each. Called on the consumer thread when they change. */
    void track(Collection<TopicPartition> owned) {
        partitions = Set.copyOf(owned);
        lag.keySet().retainAll(partitions);
        List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
        List<MultiGauge.Row<?>> ageRows = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            lagRows.add(MultiGauge.Row.of(tags(partition), () -> lag.getOrDefault(partition, 0L)));
            ageRows.add(MultiGauge.Row.of(tags(partition), () -> pipeline.oldestInFlight(partition).toNanos() / 1e9));
        }
        lagGauge.register(lagRows, true);
        ageGauge.register(ageRows, true);
    }

    void lag(TopicPartition partition, long records) {
        lag.put(partition, records);
    }

    /**
     * Measures the lag of the partitions owned from the offsets committed last (a request to the
     * brokers, {@link #LAG_PERIOD_NANOS} apart at most once); on the consumer thread.
     */
    void measureLag(Consumer<?, ?> consumer, Map<TopicPartition, Long> committed, long now) {
        if (now - lagMeasuredAt < LAG_PERIOD_NANOS) {
            return;
        }
        lagMeasuredAt = now;
        Set<TopicPartition> owned = partitions;
        if (owned.isEmpty()) {
            return;
        }
        try {
            consumer.endOffsets(owned, LAG_TIMEOUT).forEach((partition, end) -> {
                Long from = committed.get(partition);
                if (from != null) {
                    lag(partition, Math.max(0, end - from));
                }
            });
        } catch (RuntimeException e) {
            log.debug("Measuring lag failed: {}", e.toString());
        }
    }

    Set<TopicPartition> partitions() {
        return partitions;
    }

    private Tags tags(TopicPartition partition) {
        return tags.and("topic", partition.topic(), "partition", Integer.toString(partition.partition()));
    }
}
