package io.dnstapforwarder.collector.monitor;

import io.dnstapforwarder.metrics.LatencyWindow;
import io.dnstapforwarder.metrics.PeriodicLog;
import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** The collector's line of rates and latencies per interval ({@code --performance-logging}). */
public final class PerformanceLog {

    private PerformanceLog() {
    }

    /** Starts logging every {@code interval}; a zero interval logs nothing. */
    public static PeriodicLog start(Duration interval, Time time, CollectorMetrics stats, IntSupplier connections,
            LongSupplier outstandingBytes) {
        long[] last = {0, 0};
        return PeriodicLog.every(interval, time, seconds -> {
            long received = stats.receivedTotal();
            long published = stats.publishedTotal();
            LatencyWindow.Percentiles latency = stats.publishLatency();
            String line = String.format(Locale.ROOT,
                    "performance: %,.0f frames/s in, %,.0f frames/s acknowledged by Kafka, %d connections, "
                            + "publish latency p50 %.1f ms p99 %.1f ms max %.1f ms, %,d bytes outstanding, %d failed",
                    (received - last[0]) / seconds, (published - last[1]) / seconds, connections.getAsInt(),
                    latency.p50(), latency.p99(), latency.max(), outstandingBytes.getAsLong(), stats.failedTotal());
            last[0] = received;
            last[1] = published;
            return line;
        });
    }
}
