package io.dnstapforwarder.logging;

import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs a recurring condition at most once per interval per key, and says how many repeats were
 * held back, so that a broken peer or a Kafka outage cannot flood the log (Vector logs errors at
 * most every 10 s).
 */
public final class RateLimitedLogger {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public RateLimitedLogger(Logger log) {
        this(log, DEFAULT_INTERVAL, Time.SYSTEM::nanoTime);
    }

    public RateLimitedLogger(Logger log, Duration interval, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Logs at WARN unless {@code key} was logged less than an interval ago. */
    public void warn(String key, String format, Object... arguments) {
        log(false, key, format, arguments);
    }

    /** Logs at ERROR unless {@code key} was logged less than an interval ago. */
    public void error(String key, String format, Object... arguments) {
        log(true, key, format, arguments);
    }

    private void log(boolean error, String key, String format, Object... arguments) {
        Window window = windows.computeIfAbsent(key, k -> new Window());
        long now = nanoTime.getAsLong();
        long suppressed;
        synchronized (window) {
            if (window.lastLoggedAt != Long.MIN_VALUE && now - window.lastLoggedAt < intervalNanos) {
                window.suppressed.incrementAndGet();
                return;
            }
            window.lastLoggedAt = now;
            suppressed = window.suppressed.getAndSet(0);
        }
        String message = suppressed > 0 ? format + " (" + suppressed + " similar messages suppressed)" : format;
        if (error) {
            log.error(message, arguments);
        } else {
            log.warn(message, arguments);
        }
    }

    private static final class Window {
        long lastLoggedAt = Long.MIN_VALUE;
        final AtomicLong suppressed = new AtomicLong();
    }
}
