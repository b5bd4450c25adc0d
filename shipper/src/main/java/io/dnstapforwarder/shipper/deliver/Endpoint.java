package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.shipper.hec.EventSink;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where requests go (a HEC endpoint, or the local file), with the circuit breaker that guards it
 * and its count of failed attempts in a row, whichever requests they were for.
 */
public final class Endpoint {

    private final EventSink sink;
    private final CircuitBreaker breaker;
    private final AtomicInteger failuresInARow = new AtomicInteger();

    public Endpoint(EventSink sink, CircuitBreaker breaker) {
        this.sink = sink;
        this.breaker = breaker;
    }

    public EventSink sink() {
        return sink;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public String name() {
        return breaker.getName();
    }

    /**
     * Counts a failed attempt; true once every {@code perFailure} in a row, when the attempts add
     * up to one failure for the breaker.
     */
    boolean failedAttempt(int perFailure) {
        return failuresInARow.incrementAndGet() % perFailure == 0;
    }

    void succeeded() {
        failuresInARow.set(0);
    }
}
