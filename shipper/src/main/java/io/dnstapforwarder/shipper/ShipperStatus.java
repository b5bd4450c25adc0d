package io.dnstapforwarder.shipper;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.PeriodicLog;
import io.dnstapforwarder.ops.Readiness;
import io.dnstapforwarder.shipper.consume.ShipperLoop;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.Endpoints;
import io.dnstapforwarder.shipper.deliver.Sender;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.hec.Outcome;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the shipper tells its operators: readiness ({@code /ready}), statistics ({@code /stats})
 * and the performance log line, all read from the running parts.
 */
final class ShipperStatus {

    /** How long the loop may go without polling before the shipper counts as not ready. */
    private static final Duration STALL = Duration.ofSeconds(60);

    private final ShipperConfig config;
    private final ShipperLoop loop;
    private final DeliveryPipeline pipeline;
    private final Sender sender;
    private final Endpoints endpoints;
    private final AckTracker acks;
    private final ComponentMetrics metrics;

    ShipperStatus(ShipperConfig config, ShipperLoop loop, DeliveryPipeline pipeline, Sender sender, AckTracker acks,
            ComponentMetrics metrics) {
        this.config = config;
        this.loop = loop;
        this.pipeline = pipeline;
        this.sender = sender;
        this.endpoints = sender.endpoints();
        this.acks = acks;
        this.metrics = metrics;
    }

    /**
     * Ready while the loop polls its partitions and some endpoint takes requests: not while every
     * circuit breaker is open, nor while HEC refuses our token or URL.
     */
    Readiness readiness() {
        ShipperLoop.Status status = loop.status();
        boolean polling = status.running() && status.sincePoll().compareTo(STALL) < 0;
        Outcome failure = sender.lastFailure();
        boolean accepted = !(failure instanceof Outcome.Misconfigured);
        boolean available = endpoints.anyClosed();
        return Readiness.builder()
                .require("consuming", polling && status.assigned(), !status.running() ? "the consumer loop stopped"
                        : !status.assigned() ? "waiting for the consumer group to assign partitions"
                        : "last poll " + status.sincePoll().toMillis() + " ms ago")
                .require("sink", accepted && available, !accepted ? "refused: " + failure
                        : !available ? "every circuit breaker is open or probing"
                                + (failure == null ? "" : "; last failure: " + failure)
                        : failure == null ? config.destination() + " accepts events"
                        : "retrying after: " + failure)
                .build();
    }

    /** For {@code /stats}: never the token. */
    Map<String, Object> stats() {
        ShipperLoop.Status status = loop.status();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("shipper_id", config.shipperId());
        stats.put("topic", config.kafka().topic());
        stats.put("group", config.kafka().group());
        stats.put("dead_letter_topic", config.kafka().deadLetterTopic());
        stats.put("partitions", status.partitions());
        stats.put("endpoints", breakerStates());
        stats.put("batches_in_flight", status.inFlight());
        if (config.hec().ack().enabled()) {
            stats.put("requests_awaiting_ack", acks.pending());
        }
        stats.put("paused", status.paused());
        stats.put("last_poll_ms_ago", status.sincePoll().toMillis());
        Outcome failure = sender.lastFailure();
        stats.put("last_failure", failure == null ? null : failure.toString());
        return stats;
    }

    private Map<String, String> breakerStates() {
        Map<String, String> breakers = new LinkedHashMap<>();
        endpoints.all().forEach(endpoint -> breakers.put(endpoint.name(), endpoint.breaker().getState().name()));
        return breakers;
    }

    /** One line per interval: what came from Kafka, what HEC took, what went wrong, how full the pipeline is. */
    PeriodicLog performanceLog(Duration interval) {
        long[] last = {0, 0};
        return PeriodicLog.every(interval, seconds -> {
            long consumed = metrics.receivedEvents();
            long delivered = metrics.sentEvents();
            ShipperLoop.Status status = loop.status();
            String line = String.format(Locale.ROOT,
                    "performance: %,.0f events/s consumed, %,.0f events/s delivered, %,d dead-lettered, %,d retries "
                            + "in all, %d batches in flight%s, endpoints %s", (consumed - last[0]) / seconds,
                    (delivered - last[1]) / seconds, pipeline.deadLettered(), sender.retries(), status.inFlight(),
                    status.paused() ? " (paused)" : "", breakerStates());
            last[0] = consumed;
            last[1] = delivered;
            return line;
        });
    }
}
