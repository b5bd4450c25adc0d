package io.dnstapforwarder.shipper.deliver;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the circuit breakers of the endpoints, all with one configuration, their state published
 * as metrics ({@code resilience4j_circuitbreaker_state}) and their transitions logged.
 *
 * <p>A breaker counts requests, not attempts: the {@link Sender} reports one failure per
 * {@code maxRetries} failed attempts, so short blips never open it. Open, it lets nothing through
 * for {@code openFor}, then half-open lets one probe through; its success closes the breaker.
 */
public final class Breakers {

    private static final Logger log = LoggerFactory.getLogger(Breakers.class);

    private final CircuitBreakerRegistry registry;
    private final boolean enabled;

    /**
     * @param failureRatePercent failed share of the last {@code window} requests that opens a breaker
     * @param window requests the rate is taken over, and the fewest before a breaker can open
     * @param tags the service's own ({@code component_kind}, {@code component_id}), on the breakers'
     *     meters too: an alert on a breaker names the shipper, and keeps two releases apart
     */
    public Breakers(boolean enabled, int failureRatePercent, int window, Duration openFor, MeterRegistry meters,
            Tags tags) {
        this.enabled = enabled;
        Map<String, String> breakerTags = new LinkedHashMap<>();
        tags.forEach(tag -> breakerTags.put(tag.getKey(), tag.getValue()));
        this.registry = CircuitBreakerRegistry.custom().withTags(breakerTags)
                .withCircuitBreakerConfig(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(window)
                .minimumNumberOfCalls(window)
                .failureRateThreshold(failureRatePercent)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                // A probe whose answer never comes must not hold the breaker half-open for ever.
                .maxWaitDurationInHalfOpenState(openFor)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .writableStackTraceEnabled(false)
                .build()).build();
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
    }

    /** The breaker for the endpoint called {@code name} (its URL). */
    public CircuitBreaker create(String name) {
        CircuitBreaker breaker = registry.circuitBreaker(name);
        if (!enabled) {
            breaker.transitionToDisabledState();
        }
        breaker.getEventPublisher().onStateTransition(event -> {
            switch (event.getStateTransition().getToState()) {
                case OPEN -> log.warn("Circuit breaker for {} OPEN: it failed too often; no requests to it for a while, "
                        + "consumption pauses while no endpoint takes requests", name);
                case HALF_OPEN -> log.info("Circuit breaker for {} half-open: probing", name);
                case CLOSED -> log.info("Circuit breaker for {} closed: requests flow again", name);
                default -> log.info("Circuit breaker for {}: {}", name, event.getStateTransition());
            }
        });
        return breaker;
    }
}
