package io.dnstapforwarder.collector;

import io.dnstapforwarder.collector.listen.Connection;
import io.dnstapforwarder.collector.listen.Connections;
import io.dnstapforwarder.collector.listen.SocketListener;
import io.dnstapforwarder.collector.monitor.CollectorMetrics;
import io.dnstapforwarder.collector.publish.KafkaEventPublisher;
import io.dnstapforwarder.kafka.KafkaProbe;
import io.dnstapforwarder.ops.Readiness;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the collector says of itself: readiness, liveness, {@code /stats}, and a log line when
 * Kafka goes away and when it is back. The counterpart of the shipper's {@code ShipperStatus}.
 */
final class CollectorStatus {

    private static final Logger log = LoggerFactory.getLogger(Collector.class);

    private final CollectorConfig config;
    private final List<SocketListener> listeners;
    private final KafkaEventPublisher publisher;
    private final KafkaProbe kafkaProbe;
    private final Connections connections;
    private final CollectorMetrics metrics;
    private volatile boolean closing;
    private boolean kafkaWasUp = true;

    /** @param listeners the listeners, as they are started (a live list: a listener that starts later counts) */
    CollectorStatus(CollectorConfig config, List<SocketListener> listeners, KafkaEventPublisher publisher,
            KafkaProbe kafkaProbe, Connections connections, CollectorMetrics metrics) {
        this.config = config;
        this.listeners = listeners;
        this.publisher = publisher;
        this.kafkaProbe = kafkaProbe;
        this.connections = connections;
        this.metrics = metrics;
    }

    /** The collector is being stopped: its parts ending is expected, not a failure. */
    void closing() {
        closing = true;
    }

    /** Ready when every listener accepts, Kafka answers, and Kafka takes the collector's events. */
    Readiness readiness() {
        Readiness.Builder answer = Readiness.builder();
        for (SocketListener listener : listeners) {
            String failure = listener.acceptFailure();
            answer.require("listener " + listener.describe(), listener.listening(), listener.listening()
                    ? "accepting connections" : failure != null ? "accepting fails: " + failure : "not accepting connections");
        }
        KafkaProbe.Result kafka = kafkaProbe.probe();
        String refusal = publisher.refusal();
        return answer.require("kafka", kafka.ok() && refusal == null,
                refusal != null ? "Kafka refuses the collector's events: " + refusal : kafka.detail()).build();
    }

    /**
     * Alive while the threads that must run do: each listener's acceptor and the publisher's
     * retry thread. Not alive, nothing is read or published until a restart: {@code /health} 503.
     */
    Readiness liveness() {
        Readiness.Builder answer = Readiness.builder();
        boolean stopping = closing;
        for (SocketListener listener : listeners) {
            boolean alive = stopping || listener.alive();
            answer.require("listener " + listener.describe(), alive, alive ? "running" : "its acceptor stopped");
        }
        boolean publishing = stopping || publisher.retrying();
        return answer.require("kafka_publisher", publishing, publishing ? "running" : "its retry thread stopped").build();
    }

    /** Logs when Kafka stops answering and when it answers again (runs on the reaper thread). */
    void watchKafka() {
        KafkaProbe.Result kafka = kafkaProbe.probe();
        if (kafkaWasUp && kafka.needsOperator()) {
            log.error("Cannot publish: {}; holding what was read ({} bytes) and stopping reading at {} bytes",
                    kafka.detail(), publisher.outstandingBytes(), config.limits().publishBufferBytes());
        } else if (kafkaWasUp && !kafka.ok()) {
            log.warn("Kafka is unreachable ({}); holding what was read ({} bytes) and stopping reading at {} bytes",
                    kafka.detail(), publisher.outstandingBytes(), config.limits().publishBufferBytes());
        } else if (!kafkaWasUp && kafka.ok()) {
            log.info("Kafka answers again ({}); {} bytes still to publish", kafka.detail(), publisher.outstandingBytes());
        }
        kafkaWasUp = kafka.ok();
    }

    Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("collector_id", config.collectorId());
        stats.put("listeners", listeners.stream().map(SocketListener::describe).toList());
        stats.putAll(metrics.describe());
        Map<String, Object> connectionStats = new LinkedHashMap<>();
        connectionStats.put("active", connections.count());
        connectionStats.put("opening", connections.openingCount());
        connectionStats.put("max", connections.max());
        connectionStats.put("rejected", connections.rejectedTotal());
        stats.put("connection_counts", connectionStats);
        stats.put("publish_outstanding_bytes", publisher.outstandingBytes());
        stats.put("connections", connections.list().stream().map(Connection::describe).toList());
        return stats;
    }
}
