package io.dnstapforwarder.shipper.hec;

import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.ops.Watchdog;
import io.dnstapforwarder.time.Time;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HEC indexer acknowledgement by polling: remembers the ackId of every request HEC accepted, asks
 * each sink which of its ids are indexed every {@code pollInterval} (one query per sink for all
 * its ids, on one thread), and completes each id's future with true once indexed, or with false
 * when it is not indexed within {@code timeout}; the caller then sends the request again. Ack
 * queries that fail are retried at the next poll; an id waits at most the timeout either way. A
 * sink that answers without an ackId (acknowledgement off for its token) counts as indexed, with
 * a warning.
 */
public final class AckPoller implements AckTracker {

    private static final Logger log = LoggerFactory.getLogger(AckPoller.class);
    private static final CompletableFuture<Boolean> INDEXED = CompletableFuture.completedFuture(true);

    private record Waiting(CompletableFuture<Boolean> indexed, long since) {
    }

    private final Duration timeout;
    private final Time time;
    private final ComponentMetrics metrics;
    private final Map<EventSink, Map<Long, Waiting>> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller;
    private final Watchdog watchdog;
    private final Duration queryLimit;
    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);

    public AckPoller(Duration pollInterval, Duration timeout, ComponentMetrics metrics, Time time) {
        this(pollInterval, timeout, metrics, time, Watchdog.NONE, Duration.ZERO);
    }

    /** @param watchdog where each ack query is watched: one past {@code queryLimit} makes the shipper not alive */
    public AckPoller(Duration pollInterval, Duration timeout, ComponentMetrics metrics, Time time,
            Watchdog watchdog, Duration queryLimit) {
        this.watchdog = watchdog;
        this.queryLimit = queryLimit;
        this.timeout = timeout;
        this.metrics = metrics;
        this.time = time;
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dnstap-ack-poller");
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(this::poll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        Gauge.builder("dnstap.shipper.acks.pending", this, AckPoller::pending).baseUnit("requests")
                .description("Requests HEC accepted and has not yet reported indexed").tags(metrics.tags())
                .register(metrics.registry());
    }

    @Override
    public CompletableFuture<Boolean> indexed(EventSink sink, long ackId) {
        if (ackId < 0) {
            limitedLog.warn("no-ack-id", "{} accepted a request without an ackId: indexer acknowledgement is off for "
                    + "this token, so HTTP success counts as delivered", sink.describe());
            return INDEXED;
        }
        CompletableFuture<Boolean> indexed = new CompletableFuture<>();
        Waiting earlier = waiting.computeIfAbsent(sink, s -> new ConcurrentHashMap<>())
                .put(ackId, new Waiting(indexed, time.nanoTime()));
        if (earlier != null) {
            // HEC gave out this id again (it restarted, or a load balancer spreads our channel over indexers):
            // which request an answer about it means is unknowable, so the earlier one is sent again.
            metrics.error("ack_id_reused", Stage.SENDING);
            limitedLog.warn("ack-id-reused", "{} gave ackId {} to a second request before acknowledging the first; "
                    + "sending the first again. A load balancer in front of HEC must keep a channel on one indexer "
                    + "(sticky sessions) for indexer acknowledgement", sink.describe(), ackId);
            earlier.indexed().complete(false);
        }
        return indexed;
    }

    @Override
    public int pending() {
        return waiting.values().stream().mapToInt(Map::size).sum();
    }

    private void poll() {
        for (Map.Entry<EventSink, Map<Long, Waiting>> entry : waiting.entrySet()) {
            Map<Long, Waiting> ids = entry.getValue();
            if (!ids.isEmpty()) {
                poll(entry.getKey(), ids);
            }
        }
    }

    private void poll(EventSink sink, Map<Long, Waiting> ids) {
        try (Watchdog.Call call = watchdog.enter("asking " + sink.describe() + " which requests are indexed", queryLimit)) {
            Set<Long> indexed = sink.indexed(List.copyOf(ids.keySet()));
            for (Long id : indexed) {
                Waiting done = ids.remove(id);
                if (done != null) {
                    done.indexed().complete(true);
                }
            }
        } catch (IOException | RuntimeException e) {
            metrics.error("ack_query_failed", Stage.SENDING);
            limitedLog.warn("ack-query", "Asking {} which requests are indexed failed ({}); asking again at the next "
                    + "poll", sink.describe(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        expire(sink, ids);
    }

    private void expire(EventSink sink, Map<Long, Waiting> ids) {
        long now = time.nanoTime();
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
                        sink.describe(), id, timeout.toSeconds());
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
