package io.dnstapforwarder.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recent {@code capacity} latency samples and their percentiles: a bounded window, so
 * memory does not grow with traffic and old samples do not hide a new problem.
 */
public final class LatencyWindow {

    /** Percentiles of the samples in the window, in milliseconds. */
    public record Percentiles(int samples, double p50, double p90, double p99, double p999, double max) {

        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("samples", samples);
            map.put("p50_ms", p50);
            map.put("p90_ms", p90);
            map.put("p99_ms", p99);
            map.put("p999_ms", p999);
            map.put("max_ms", max);
            return map;
        }
    }

    private final long[] samples;
    private long recorded;

    public LatencyWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.samples = new long[capacity];
    }

    public synchronized void record(long nanos) {
        samples[(int) (recorded++ % samples.length)] = nanos;
    }

    public Percentiles percentiles() {
        long[] copy;
        synchronized (this) {
            copy = Arrays.copyOf(samples, (int) Math.min(recorded, samples.length));
        }
        Arrays.sort(copy);
        return new Percentiles(copy.length, percentile(copy, 0.50), percentile(copy, 0.90), percentile(copy, 0.99),
                percentile(copy, 0.999), copy.length == 0 ? 0.0 : copy[copy.length - 1] / 1e6);
    }

    private static double percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0.0;
        }
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
    }
}
