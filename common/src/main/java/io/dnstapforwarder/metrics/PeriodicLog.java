package io.dnstapforwarder.metrics;

import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line every interval ({@code --performance-logging}), on a daemon thread of its own: the
 * services' rates and latencies for operators who read logs rather than dashboards.
 */
public final class PeriodicLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeriodicLog.class);

    private final ScheduledExecutorService timer;

    private PeriodicLog(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /**
     * Starts logging every {@code interval}; a zero interval logs nothing.
     *
     * @param time the clock the seconds between lines are measured on
     * @param line the line to log, given the seconds since the previous one (for rates)
     */
    public static PeriodicLog every(Duration interval, Time time, DoubleFunction<String> line) {
        if (interval.isZero()) {
            return new PeriodicLog(null);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dnstap-performance-log");
            thread.setDaemon(true);
            return thread;
        });
        long[] last = {time.nanoTime()};
        timer.scheduleAtFixedRate(() -> {
            long now = time.nanoTime();
            try {
                log.info(line.apply((now - last[0]) / 1e9));
            } catch (RuntimeException e) {
                log.warn("Performance logging failed: {}", e.toString());
            }
            last[0] = now;
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return new PeriodicLog(timer);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
