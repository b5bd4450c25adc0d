package io.dnstapforwarder.collector.monitor;

import io.dnstapforwarder.metrics.LatencyWindow;
import io.dnstapforwarder.metrics.RateMeter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The numbers /stats and the performance log show: frame rates in and out over 1, 5 and 15
 * minutes, publish latency percentiles over a bounded window, failures. Prometheus gets the same
 * through Micrometer; these are the human-readable view. Thread-safe.
 */
public final class CollectorStats {

    private final RateMeter received;
    private final RateMeter published;
    private final LongAdder failed = new LongAdder();
    private final LatencyWindow publishLatency;

    public CollectorStats(int maxLatencySamples, LongSupplier nanoTime) {
        this.received = new RateMeter(nanoTime);
        this.published = new RateMeter(nanoTime);
        this.publishLatency = new LatencyWindow(maxLatencySamples);
    }

    /** Frames read from DNS servers. */
    public void received(long frames) {
        received.mark(frames);
    }

    /** One frame Kafka acknowledged, {@code nanos} after it was handed to the producer. */
    public void published(long nanos) {
        published.mark(1);
        publishLatency.record(nanos);
    }

    /** One frame Kafka refused for good. */
    public void failed() {
        failed.increment();
    }

    public long receivedTotal() {
        return received.total();
    }

    public long publishedTotal() {
        return published.total();
    }

    public long failedTotal() {
        return failed.sum();
    }

    public LatencyWindow.Percentiles publishLatency() {
        return publishLatency.percentiles();
    }

    /** For /stats. */
    public Map<String, Object> describe() {
        Map<String, Object> frames = new LinkedHashMap<>();
        frames.put("received", receivedTotal());
        frames.put("published", publishedTotal());
        frames.put("failed", failedTotal());
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("received_per_second", received.rates());
        rates.put("published_per_second", published.rates());
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("frames", frames);
        description.put("rates", rates);
        description.put("publish_latency", publishLatency().toMap());
        return description;
    }
}
