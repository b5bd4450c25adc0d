package io.dnstapforwarder.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code /metrics} as JSON under the names of the Go dnstap-forwarder this project replaces, for
 * the scripts its users wrote against it; Prometheus reads the text format as before. Every value
 * comes from the meters the service keeps anyway:
 *
 * <ul>
 *   <li>{@code events_processed}: events received (frames read by the collector, records consumed
 *       by the shipper), {@code dnstap_component_received_events_total};
 *   <li>{@code events_per_second}: their rate between this request and the oldest of those in the
 *       last minute (since start for the first);
 *   <li>{@code average_latency}: milliseconds, mean of the collector's Kafka publish latency or of
 *       the shipper's HEC request latency;
 *   <li>{@code processing_errors}, {@code connection_errors}, {@code output_errors}:
 *       {@code dnstap_component_errors_total} at the processing, receiving and sending stages (the
 *       collector's refused connections count as connection errors);
 *   <li>{@code active_connections}: the collector's open connections (0 for the shipper);
 *   <li>{@code output_success}: events the next hop acknowledged, {@code dnstap_component_sent_events_total}.
 * </ul>
 */
final class SeedMetrics {

    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final List<String> LATENCY_TIMERS = List.of("dnstap.collector.publish.latency",
            "dnstap.shipper.request.latency");

    private final MeterRegistry registry;
    private final LongSupplier nanoTime;
    private final long startedAt;
    private final Deque<long[]> samples = new ArrayDeque<>();

    SeedMetrics(MeterRegistry registry, LongSupplier nanoTime) {
        this.registry = registry;
        this.nanoTime = nanoTime;
        this.startedAt = nanoTime.getAsLong();
    }

    synchronized Map<String, Object> snapshot() {
        long processed = (long) counted("dnstap.component.received.events", null);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("events_processed", processed);
        metrics.put("events_per_second", rate(processed));
        metrics.put("average_latency", averageLatencyMillis());
        metrics.put("processing_errors", (long) counted("dnstap.component.errors", "processing"));
        metrics.put("active_connections", (long) gauged("dnstap.collector.connections.active"));
        metrics.put("connection_errors", (long) (counted("dnstap.component.errors", "receiving")
                + counted("dnstap.collector.connections.rejected", null)));
        metrics.put("output_success", (long) counted("dnstap.component.sent.events", null));
        metrics.put("output_errors", (long) counted("dnstap.component.errors", "sending"));
        return metrics;
    }

    private double rate(long processed) {
        long now = nanoTime.getAsLong();
        samples.addLast(new long[] {now, processed});
        while (samples.size() > 1 && now - samples.peekFirst()[0] > WINDOW_NANOS) {
            samples.removeFirst();
        }
        long[] oldest = samples.size() > 1 ? samples.peekFirst() : new long[] {startedAt, 0};
        double seconds = (now - oldest[0]) / 1e9;
        return seconds > 0 ? (processed - oldest[1]) / seconds : 0.0;
    }

    private double averageLatencyMillis() {
        long count = 0;
        double totalMillis = 0;
        for (String name : LATENCY_TIMERS) {
            for (Timer timer : registry.find(name).timers()) {
                count += timer.count();
                totalMillis += timer.totalTime(TimeUnit.MILLISECONDS);
            }
        }
        return count > 0 ? totalMillis / count : 0.0;
    }

    private double counted(String name, String stage) {
        var search = registry.find(name);
        if (stage != null) {
            search = search.tag("stage", stage);
        }
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }

    private double gauged(String name) {
        return registry.find(name).gauges().stream().mapToDouble(Gauge::value).sum();
    }
}
