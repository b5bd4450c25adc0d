package io.dnstapforwarder.shipper;

import io.dnstapforwarder.kafka.KafkaProbe;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.PeriodicLog;
import io.dnstapforwarder.ops.Readiness;
import io.dnstapforwarder.ops.Watchdog;
import io.dnstapforwarder.shipper.consume.ShipperLoop;
import io.dnstapforwarder.shipper.consume.TransactionPairing;
import io.dnstapforwarder.shipper.deliver.DeadLetterGate;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.Endpoints;
import io.dnstapforwarder.shipper.deliver.PartitionStalls;
import io.dnstapforwarder.shipper.deliver.Sender;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;

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
    private final PartitionStalls stalls;
    private final DeadLetterGate gate;
    private final ComponentMetrics metrics;
    private final Supplier<KafkaProbe.Result> topic;
    private volatile boolean closing;

    /** @param topic asked, while no partition is assigned, whether the topic exists (cached by the probe) */
    private final Watchdog watchdog;

    ShipperStatus(ShipperConfig config, ShipperLoop loop, DeliveryPipeline pipeline, Sender sender, AckTracker acks,
            PartitionStalls stalls, DeadLetterGate gate, ComponentMetrics metrics, Supplier<KafkaProbe.Result> topic,
            Watchdog watchdog) {
        this.watchdog = watchdog;
        this.config = config;
        this.loop = loop;
        this.pipeline = pipeline;
        this.sender = sender;
        this.endpoints = sender.endpoints();
        this.acks = acks;
        this.stalls = stalls;
        this.gate = gate;
        this.metrics = metrics;
        this.topic = topic;
    }

    /** The shipper is being stopped: its parts ending is expected, not a failure. */
    void closing() {
        closing = true;
    }

    /**
     * Alive while the parts that must run do: the consumer loop (unless it ended by itself, a
     * bounded run done, or the shipper is stopping) and the delivery workers, none of them stuck in
     * a call past its limit (the {@link Watchdog} behind every bounded wait). Not alive, nothing is
     * delivered until a restart: {@code /health} answers 503, naming what is stuck.
     */
    Readiness liveness() {
        ShipperLoop.Status status = loop.status();
        boolean loopAlive = status.running() || closing || loop.completed();
        boolean workersAlive = pipeline.working() || closing;
        List<String> stuck = closing ? List.of() : watchdog.overdue();
        return Readiness.builder()
                .require("consumer_loop", loopAlive, loopAlive ? "running"
                        : "stopped: " + (status.failure() == null ? "unknown reason" : status.failure().toString()))
                .require("delivery_workers", workersAlive, workersAlive ? "running" : "stopped")
                .require("no_stuck_call", stuck.isEmpty(), stuck.isEmpty() ? "every watched call ends within its limit"
                        : String.join("; ", stuck))
                .build();
    }

    /**
     * Ready while the loop polls its partitions, some endpoint takes requests (not every circuit
     * breaker open, HEC not refusing our token or URL), and every partition's delivery goes on: no
     * partition held by a fault or by the dead-letter topic, no batch waiting longer than
     * {@code --max-unsettled-sec}.
     */
    Readiness readiness() {
        ShipperLoop.Status status = loop.status();
        boolean polling = status.running() && status.sincePoll().compareTo(STALL) < 0;
        Outcome failure = sender.lastFailure();
        boolean accepted = !(failure instanceof Outcome.Misconfigured);
        boolean available = endpoints.anyClosed();
        Map<String, String> held = heldPartitions();
        // Owning no partition is fine for a standby member (more shippers than partitions), not
        // when the topic is missing: a group member may be "assigned" nothing before it exists.
        KafkaProbe.Result topicProbe = status.partitions().isEmpty() ? topic.get() : null;
        boolean topicMissing = topicProbe != null && topicProbe.needsOperator();
        return Readiness.builder()
                .require("consuming", polling && status.assigned() && status.kafkaRefusal() == null && !topicMissing,
                        !status.running() ? "the consumer loop stopped"
                        : status.kafkaRefusal() != null ? "refused: " + status.kafkaRefusal()
                        : topicMissing ? topicProbe.detail()
                        : !status.assigned() ? unassigned()
                        : "last poll " + status.sincePoll().toMillis() + " ms ago")
                .require("sink", accepted && available, !accepted ? "refused: " + failure
                        : !available ? "every circuit breaker is open or probing"
                                + (failure == null ? "" : "; last failure: " + failure)
                        : failure == null ? config.destination() + " accepts events"
                        : "retrying after: " + failure)
                .require("delivery", held.isEmpty(), held.isEmpty() ? "every partition's batches settle"
                        : "held: " + held)
                .build();
    }

    /** Why no partition is assigned: a missing topic says so, with the command that creates it. */
    private String unassigned() {
        KafkaProbe.Result probe = topic.get();
        return probe.needsOperator() ? probe.detail() : "waiting for the consumer group to assign partitions"
                + (probe.ok() ? "" : " (" + probe.detail() + ")");
    }

    /**
     * Partitions whose delivery does not go on, and why: stalled by the workers, or with a batch
     * waiting longer than allowed (the reason then is the last failure, if any).
     */
    private Map<String, String> heldPartitions() {
        Map<String, String> held = new TreeMap<>(stalls.describe());
        Duration allowed = config.guards().maxUnsettled();
        for (TopicPartition partition : loop.owned()) {
            Duration waiting = pipeline.oldestInFlight(partition);
            if (waiting.compareTo(allowed) > 0) {
                Outcome failure = sender.lastFailure();
                held.putIfAbsent(partition.toString(), "a batch has waited " + waiting.toSeconds() + " s (more than "
                        + "--max-unsettled-sec " + allowed.toSeconds() + ")"
                        + (failure == null ? "" : "; last failure: " + failure));
            }
        }
        return held;
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
        stats.put("held_partitions", heldPartitions());
        stats.put("dead_lettering_paused", gate.closedBecause());
        stats.put("last_poll_ms_ago", status.sincePoll().toMillis());
        stats.put("enrichment", config.shaping().enrichment().describe());
        stats.put("client_privacy", config.shaping().privacy().describe());
        if (status.transactions() != null) {
            TransactionPairing.Stats pairing = status.transactions();
            Map<String, Object> transactions = new LinkedHashMap<>();
            transactions.put("pending", pairing.pending());
            transactions.put("oldest_pending_age_sec", pairing.oldestPendingAgeSeconds());
            transactions.put("events", pairing.events());
            transactions.put("evicted", pairing.evicted());
            stats.put("transactions", transactions);
        }
        Outcome failure = sender.lastFailure();
        stats.put("last_failure", failure == null ? null : failure.toString());
        return stats;
    }

    private Map<String, String> breakerStates() {
        Map<String, String> breakers = new LinkedHashMap<>();
        endpoints.all().forEach(endpoint -> breakers.put(endpoint.name(), endpoint.breaker().getState().name()));
        return breakers;
    }

    /**
     * One line per interval: what came from Kafka, what HEC took, what went wrong, how full the
     * pipeline is; with {@code --transactions}, pairs made a second and halves waiting.
     */
    PeriodicLog performanceLog(Duration interval, Time time) {
        long[] last = {0, 0, 0};
        return PeriodicLog.every(interval, time, seconds -> {
            long consumed = metrics.receivedEvents();
            long delivered = metrics.sentEvents();
            ShipperLoop.Status status = loop.status();
            TransactionPairing.Stats pairing = status.transactions();
            long paired = pairing == null ? 0 : pairing.events().getOrDefault("paired", 0L);
            String line = String.format(Locale.ROOT,
                    "performance: %,.0f events/s consumed, %,.0f events/s delivered, %,d dead-lettered, %,d retries "
                            + "in all, %d batches in flight%s, endpoints %s%s", (consumed - last[0]) / seconds,
                    (delivered - last[1]) / seconds, pipeline.deadLettered(), sender.retries(), status.inFlight(),
                    status.paused() ? " (paused)" : "", breakerStates(), pairing == null ? ""
                            : String.format(Locale.ROOT, ", %,.0f pairs/s, %,d halves waiting",
                                    (paired - last[2]) / seconds, pairing.pending()));
            last[0] = consumed;
            last[1] = delivered;
            last[2] = paired;
            return line;
        });
    }
}
