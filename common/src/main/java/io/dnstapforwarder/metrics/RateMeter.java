package io.dnstapforwarder.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Events per second over the last 1, 5 and 15 minutes, as exponentially weighted moving
 * averages (the Unix load average, Dropwizard's Meter): cheap to mark from many threads, and a
 * burst fades out instead of dropping off a cliff.
 */
public final class RateMeter {

    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final double[] ALPHAS = {alpha(1), alpha(5), alpha(15)};

    private final LongAdder uncounted = new LongAdder();
    private final LongAdder total = new LongAdder();
    private final LongSupplier nanoTime;
    private final long startedAt;
    private final double[] rates = new double[3];
    private boolean initialised;
    private long lastTick;

    public RateMeter(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.startedAt = nanoTime.getAsLong();
        this.lastTick = startedAt;
    }

    public void mark(long count) {
        uncounted.add(count);
        total.add(count);
    }

    public long total() {
        return total.sum();
    }

    /** {@code one_minute}, {@code five_minutes}, {@code fifteen_minutes}, {@code mean}, per second. */
    public synchronized Map<String, Double> rates() {
        tickIfDue();
        Map<String, Double> result = new LinkedHashMap<>();
        result.put("one_minute", rates[0]);
        result.put("five_minutes", rates[1]);
        result.put("fifteen_minutes", rates[2]);
        double seconds = (nanoTime.getAsLong() - startedAt) / 1e9;
        result.put("mean", seconds > 0 ? total.sum() / seconds : 0.0);
        return result;
    }

    private void tickIfDue() {
        long now = nanoTime.getAsLong();
        while (now - lastTick >= TICK_NANOS) {
            lastTick += TICK_NANOS;
            double instant = uncounted.sumThenReset() / (TICK_NANOS / 1e9);
            for (int i = 0; i < rates.length; i++) {
                rates[i] = initialised ? rates[i] + ALPHAS[i] * (instant - rates[i]) : instant;
            }
            initialised = true;
        }
    }

    private static double alpha(int minutes) {
        return 1 - Math.exp(-5.0 / 60.0 / minutes);
    }
}
