package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.ops.Watchdog;
import io.dnstapforwarder.retry.Backoff;
import io.dnstapforwarder.shipper.hec.HecRequest;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.time.Time;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one request until an endpoint accepts it or rejects its data; transient failures and
 * configuration errors are retried, never given up on (Kafka holds the data; only shutdown or a
 * rebalance interrupts). Retries wait an exponential, jittered backoff (at least what Retry-After
 * asks; the longest delay for configuration errors), on the next endpoint that takes requests.
 * Every {@code maxRetries} failed attempts in a row at an endpoint count as one failure for its
 * circuit breaker; while every breaker is open, requests wait. Thread-safe: workers share one sender.
 */
public final class Sender {

    private static final Logger log = LoggerFactory.getLogger(Sender.class);
    private static final Duration WAIT_FOR_BREAKER = Duration.ofMillis(200);

    private final Endpoints endpoints;
    private final Backoff backoff;
    private final int maxRetries;
    private final ComponentMetrics metrics;
    private final Time time;
    private final Counter retries;
    private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();
    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);
    private final Watchdog watchdog;
    private final Duration requestLimit;
    private volatile Outcome lastFailure;

    public Sender(Endpoints endpoints, Backoff backoff, int maxRetries, ComponentMetrics metrics, Time time) {
        this(endpoints, backoff, maxRetries, metrics, time, Watchdog.NONE, Duration.ZERO);
    }

    /**
     * @param watchdog where each request is watched: one that runs past {@code requestLimit} (its
     *     own timeout has failed) makes the shipper not alive
     */
    public Sender(Endpoints endpoints, Backoff backoff, int maxRetries, ComponentMetrics metrics, Time time,
            Watchdog watchdog, Duration requestLimit) {
        this.watchdog = watchdog;
        this.requestLimit = requestLimit;
        this.endpoints = endpoints;
        this.backoff = backoff;
        this.maxRetries = maxRetries;
        this.metrics = metrics;
        this.time = time;
        this.retries = Counter.builder("dnstap.shipper.retries").baseUnit("requests")
                .description("Requests sent again after a transient failure").tags(metrics.tags())
                .register(metrics.registry());
    }

    /** The failure of the last request that failed, until one succeeds; for readiness and /stats. */
    public Outcome lastFailure() {
        return lastFailure;
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    /** Requests sent again after a failure, so far. */
    public long retries() {
        return (long) retries.count();
    }

    /** What became of a request: Delivered, Rejected or TooLarge, and the endpoint that said so. */
    public record Sent(Outcome outcome, Endpoint endpoint) {
    }

    /** Sends until an endpoint delivers the request or answers about its data; blocks for as long as it takes. */
    public Sent send(HecRequest request) throws InterruptedException {
        int failures = 0;
        while (true) {
            Endpoint endpoint = endpoints.acquire();
            if (endpoint == null) {
                time.sleep(WAIT_FOR_BREAKER);
                continue;
            }
            long start = time.nanoTime();
            Outcome outcome;
            try (Watchdog.Call call = watchdog.enter("sending a request to " + endpoint.sink().describe(), requestLimit)) {
                outcome = endpoint.sink().deliver(request);
            } catch (InterruptedException | RuntimeException | Error e) {
                // The call never got an answer (a rebalance abandoned it, or a fault): give the permit
                // back, or a half-open breaker would wait for its probe's answer for ever.
                endpoint.breaker().releasePermission();
                throw e;
            }
            long took = time.nanoTime() - start;
            timer(outcome).record(took, TimeUnit.NANOSECONDS);
            if (isAnswer(outcome)) {
                endpoint.succeeded();
                endpoint.breaker().onSuccess(took, TimeUnit.NANOSECONDS);
                if (endpoint.breaker().getState() == CircuitBreaker.State.OPEN) {
                    // The breaker takes the failure rate again on every call, so a success after
                    // failures can open it. The endpoint has just taken a request: it is not down,
                    // and an open breaker would hold /ready at 503 until a probe that, with
                    // nothing left to send, may never come.
                    endpoint.breaker().transitionToClosedState();
                }
                if (failures > 0) {
                    log.info("{} takes requests again after {} failed attempts", endpoint.sink().describe(), failures);
                }
                lastFailure = null;
                return new Sent(outcome, endpoint);
            }
            failures++;
            // maxRetries failed attempts in a row at an endpoint are one failure for its breaker; a
            // probe of a half-open breaker that fails opens it again at once.
            boolean countsForBreaker = endpoint.failedAttempt(maxRetries);
            if (countsForBreaker || endpoint.breaker().getState() == CircuitBreaker.State.HALF_OPEN) {
                endpoint.breaker().onError(took, TimeUnit.NANOSECONDS, new DeliveryFailure(outcome));
            } else {
                endpoint.breaker().releasePermission();
            }
            lastFailure = outcome;
            metrics.error(outcome.errorCode(), Stage.SENDING);
            retries.increment();
            Duration delay = wait(outcome, failures);
            report(endpoint, outcome, failures, delay);
            time.sleep(delay);
        }
    }

    /** An answer about the request itself, which retrying cannot change: the endpoint works. */
    private static boolean isAnswer(Outcome outcome) {
        return outcome instanceof Outcome.Delivered || outcome instanceof Outcome.Rejected
                || outcome instanceof Outcome.TooLarge;
    }

    private Duration wait(Outcome outcome, int failures) {
        if (outcome instanceof Outcome.Misconfigured) {
            return backoff.max();
        }
        return backoff.delay(failures, ((Outcome.Retryable) outcome).retryAfter());
    }

    private void report(Endpoint endpoint, Outcome outcome, int failures, Duration delay) {
        if (outcome instanceof Outcome.Misconfigured misconfigured) {
            limitedLog.error("misconfigured", "{} refuses our requests: {}. Check the HEC URL and token; nothing is "
                    + "delivered until this is fixed, and the data waits in Kafka. Retrying in {} s",
                    endpoint.sink().describe(), misconfigured.reason(), delay.toSeconds());
        } else {
            limitedLog.warn("retry", "Delivery to {} failed ({}), attempt {}; retrying in {} ms (circuit breaker {})",
                    endpoint.sink().describe(), ((Outcome.Retryable) outcome).reason(), failures, delay.toMillis(),
                    endpoint.breaker().getState());
        }
    }

    private Timer timer(Outcome outcome) {
        String status = outcome instanceof Outcome.Delivered ? "ok" : outcome.errorCode();
        return requestTimers.computeIfAbsent(status, s -> Timer.builder("dnstap.shipper.request.latency")
                .description("Time of one request to the sink, by outcome (ok, hec_<code>, http_<status>, connect, ...)")
                .tags(metrics.tags()).tag("status", s).publishPercentileHistogram().register(metrics.registry()));
    }
}
