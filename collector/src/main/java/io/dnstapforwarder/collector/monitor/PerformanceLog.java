package io.dnstapforwarder.collector.monitor;

import io.dnstapforwarder.metrics.LatencyWindow;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs one line of rates and latencies per interval ({@code --performance-logging}). */
public final class PerformanceLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PerformanceLog.class);

    private final ScheduledExecutorService timer;

    private PerformanceLog(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts logging every {@code interval}; a zero interval logs nothing. */
    public static PerformanceLog start(Duration interval, CollectorStats stats, IntSupplier connections,
            LongSupplier outstandingBytes) {
        if (interval.isZero()) {
            return new PerformanceLog(null);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dnstap-performance-log");
            thread.setDaemon(true);
            return thread;
        });
        long[] last = {0, 0, System.nanoTime()};
        timer.scheduleAtFixedRate(() -> {
            long received = stats.receivedTotal();
            long published = stats.publishedTotal();
            long now = System.nanoTime();
            double seconds = (now - last[2]) / 1e9;
            LatencyWindow.Percentiles latency = stats.publishLatency();
            log.info(String.format(Locale.ROOT,
                    "performance: %,.0f frames/s in, %,.0f frames/s acknowledged by Kafka, %d connections, "
                            + "publish latency p50 %.1f ms p99 %.1f ms max %.1f ms, %,d bytes outstanding, %d failed",
                    (received - last[0]) / seconds, (published - last[1]) / seconds, connections.getAsInt(),
                    latency.p50(), latency.p99(), latency.max(), outstandingBytes.getAsLong(), stats.failedTotal()));
            last[0] = received;
            last[1] = published;
            last[2] = now;
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return new PerformanceLog(timer);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
