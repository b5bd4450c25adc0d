package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HEC indexer acknowledgement: remembers the ackId of every request HEC accepted, asks each
 * endpoint which of its ids are indexed every {@code pollInterval} (one query per endpoint for all
 * its ids, on one thread), and completes each id's future with true once indexed, or with false
 * when it is not indexed within {@code timeout}; the caller then sends the request again. Ack
 * queries that fail are retried at the next poll; an id waits at most the timeout either way.
 */
public final class AckTracker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AckTracker.class);

    private record Waiting(CompletableFuture<Boolean> indexed, long since) {
    }

    private final Duration timeout;
    private final LongSupplier nanoTime;
    private final ComponentMetrics metrics;
    private final Map<Endpoint, Map<Long, Waiting>> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;
    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);

    public AckTracker(Duration pollInterval, Duration timeout, ComponentMetrics metrics, LongSupplier nanoTime) {
        this.timeout = timeout;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dnstap-ack-poller");
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(this::poll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        Gauge.builder("dnstap.shipper.acks.pending", this, AckTracker::pending).baseUnit("requests")
                .description("Requests HEC accepted and has not yet reported indexed").tags(metrics.tags())
                .register(metrics.registry());
    }

    /** A future that completes with true when {@code endpoint} reports {@code ackId} indexed, false on timeout. */
    public CompletableFuture<Boolean> await(Endpoint endpoint, long ackId) {
        CompletableFuture<Boolean> indexed = new CompletableFuture<>();
        waiting.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
                .put(ackId, new Waiting(indexed, nanoTime.getAsLong()));
        return indexed;
    }

    public int pending() {
        return waiting.values().stream().mapToInt(Map::size).sum();
    }

    private void poll() {
        for (Map.Entry<Endpoint, Map<Long, Waiting>> entry : waiting.entrySet()) {
            Map<Long, Waiting> ids = entry.getValue();
            if (!ids.isEmpty()) {
                poll(entry.getKey(), ids);
            }
        }
    }

    private void poll(Endpoint endpoint, Map<Long, Waiting> ids) {
        try {
            Set<Long> indexed = endpoint.sink().indexed(List.copyOf(ids.keySet()));
            for (Long id : indexed) {
                Waiting done = ids.remove(id);
                if (done != null) {
                    done.indexed().complete(true);
                }
            }
        } catch (IOException | RuntimeException e) {
            metrics.error("ack_query_failed", Stage.SENDING);
            limitedLog.warn("ack-query", "Asking {} which requests are indexed failed ({}); asking again at the next "
                    + "poll", endpoint.sink().describe(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        expire(endpoint, ids);
    }

    private void expire(Endpoint endpoint, Map<Long, Waiting> ids) {
        long now = nanoTime.getAsLong();
        List<Long> expired = new ArrayList<>();
        ids.forEach((id, waiting) -> {
            if (now - waiting.since() >= timeout.toNanos()) {
                expired.add(id);
            }
        });
        for (Long id : expired) {
            Waiting gone = ids.remove(id);
            if (gone != null) {
                metrics.error("ack_timeout", Stage.SENDING);
                limitedLog.warn("ack-timeout", "{} did not report request {} indexed within {} s; sending it again",
                        endpoint.sink().describe(), id, timeout.toSeconds());
                gone.indexed().complete(false);
            }
        }
    }

    /** Stops polling; what still waits is never settled, so not committed, and is delivered again after restart. */
    @Override
    public void close() {
        poller.shutdownNow();
        waiting.values().forEach(ids -> ids.values().forEach(w -> w.indexed().cancel(false)));
        waiting.clear();
    }
}
