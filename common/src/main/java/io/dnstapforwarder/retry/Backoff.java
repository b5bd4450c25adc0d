package io.dnstapforwarder.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff, the one both services use: before attempt n+1, wait up to
 * {@code min(max, base * 2^(n-1))}. With full jitter the wait is a random time between 0 and that
 * ceiling, so that many senders do not retry in step (the shipper toward HEC); without, it is the
 * ceiling itself (the collector's one retry thread toward Kafka). A server's Retry-After is a floor.
 */
public final class Backoff {

    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;

    /** @param random a number in [0, 1) per delay, the share of the ceiling to wait */
    public Backoff(Duration base, Duration max, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= max, got " + base + " and " + max);
        }
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** Full jitter: a random wait up to the ceiling. */
    public static Backoff withJitter(Duration base, Duration max) {
        return new Backoff(base, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** No jitter: the ceiling itself, {@code base} after the first failure, doubling up to {@code max}. */
    public static Backoff exponential(Duration base, Duration max) {
        return new Backoff(base, max, () -> 1.0);
    }

    /** @param failures consecutive failures so far, at least 1 */
    public Duration delay(int failures) {
        return delay(failures, null);
    }

    /**
     * @param failures consecutive failures so far, at least 1
     * @param retryAfter what the server asked for, or {@code null}
     */
    public Duration delay(int failures, Duration retryAfter) {
        int doublings = Math.min(Math.max(failures - 1, 0), 30);
        long ceiling = Math.min(max.toMillis(), base.toMillis() << doublings);
        Duration jittered = Duration.ofMillis((long) (random.getAsDouble() * ceiling));
        return retryAfter != null && retryAfter.compareTo(jittered) > 0 ? retryAfter : jittered;
    }

    public Duration max() {
        return max;
    }
}
