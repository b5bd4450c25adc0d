package io.dnstapforwarder.shipper.deliver;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: before attempt n+1, wait a random time between 0 and
 * {@code min(max, base * 2^(n-1))}, so that many shippers do not retry in step. A server's
 * Retry-After is a floor.
 */
public final class Backoff {

    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;

    public Backoff(Duration base, Duration max, DoubleSupplier random) {
        this.base = base;
        this.max = max;
        this.random = random;
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
