package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.micrometer.core.instrument.Counter;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code dnstap_shipper_dropped_events_total{reason}}: what shaping kept from Splunk, by rule.
 * Thread-safe.
 */
public final class DropCounters {

    private final Map<ShapingRules.Drop, Counter> counters = new EnumMap<>(ShapingRules.Drop.class);

    public DropCounters(ComponentMetrics metrics) {
        for (ShapingRules.Drop drop : ShapingRules.Drop.values()) {
            counters.put(drop, Counter.builder("dnstap.shipper.dropped.events")
                    .description("Events shaping kept from Splunk (they stay in Kafka), by the rule that dropped them")
                    .tags(metrics.tags()).tag("reason", drop.tag()).register(metrics.registry()));
        }
    }

    void dropped(ShapingRules.Drop drop) {
        counters.get(drop).increment();
    }

    /** Events dropped so far, over every reason. */
    public long total() {
        return (long) counters.values().stream().mapToDouble(Counter::count).sum();
    }
}
