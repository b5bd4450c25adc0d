package io.dnstapforwarder.shipper.deliver;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoints requests are spread over, round robin, skipping those whose circuit breaker is
 * open: one endpoint down does not stop delivery while another takes requests. Thread-safe.
 */
public final class Endpoints {

    private final List<Endpoint> all;
    private final AtomicInteger next = new AtomicInteger();

    public Endpoints(List<Endpoint> all) {
        if (all.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint is needed");
        }
        this.all = List.copyOf(all);
    }

    public List<Endpoint> all() {
        return all;
    }

    /**
     * The next endpoint whose breaker lets a request through, with that permission taken (the
     * caller must report the call's result to the breaker), or {@code null} when none does.
     */
    public Endpoint acquire() {
        int start = Math.floorMod(next.getAndIncrement(), all.size());
        for (int i = 0; i < all.size(); i++) {
            Endpoint endpoint = all.get((start + i) % all.size());
            if (endpoint.breaker().tryAcquirePermission()) {
                return endpoint;
            }
        }
        return null;
    }

    /** True while some endpoint's breaker is not open: delivery can make progress, or at least probe. */
    public boolean anyAvailable() {
        return all.stream().anyMatch(endpoint -> endpoint.breaker().getState() != CircuitBreaker.State.OPEN
                && endpoint.breaker().getState() != CircuitBreaker.State.FORCED_OPEN);
    }

    /** True while some endpoint takes requests freely: its breaker is closed (or disabled), not open nor probing. */
    public boolean anyClosed() {
        return all.stream().anyMatch(endpoint -> switch (endpoint.breaker().getState()) {
            case CLOSED, DISABLED, METRICS_ONLY -> true;
            default -> false;
        });
    }
}
