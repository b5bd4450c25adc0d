package io.dnstapforwarder.collector;

import io.dnstapforwarder.collector.listen.Connection;
import io.dnstapforwarder.collector.listen.Connections;
import io.dnstapforwarder.collector.listen.ListenEndpoint;
import io.dnstapforwarder.collector.listen.SocketListener;
import io.dnstapforwarder.collector.publish.KafkaEventPublisher;
import io.dnstapforwarder.kafka.KafkaProbe;
import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.ops.OpsServer;
import io.dnstapforwarder.ops.Readiness;
import io.dnstapforwarder.ops.ServiceInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector service: listeners in front, a Kafka publisher behind, an ops endpoint beside.
 * This class only wires the parts together and stops them in order.
 */
public final class Collector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Collector.class);
    /** Outstanding bytes before readers stop reading; half the producer's 64 MiB buffer. */
    private static final int PUBLISH_BUDGET_BYTES = 32 * 1024 * 1024;
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

    private final CollectorConfig config;
    private final KafkaEventPublisher publisher;
    private final KafkaProbe kafkaProbe;
    private final Connections connections;
    private final List<SocketListener> listeners = new ArrayList<>();
    private final OpsServer ops;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Collector(CollectorConfig config, Clock clock) throws IOException {
        this.config = config;
        ServiceInfo service = ServiceInfo.startingNow("collector", config.collectorId());
        PrometheusMeterRegistry registry = ComponentMetrics.newPrometheusRegistry();
        ComponentMetrics metrics = new ComponentMetrics(registry, "collector", config.collectorId());
        this.publisher = new KafkaEventPublisher(new KafkaProducer<>(KafkaSettings.producer(config.kafkaBootstrap(),
                "dnstap-collector-" + config.collectorId(), config.kafkaProperties())), config.topic(),
                PUBLISH_BUDGET_BYTES, metrics);
        this.kafkaProbe = new KafkaProbe(KafkaSettings.admin(config.kafkaBootstrap(), "dnstap-collector-probe-"
                + config.collectorId(), config.kafkaProperties()), config.topic(), Duration.ofSeconds(2),
                Duration.ofSeconds(3), clock);
        this.connections = new Connections(clock, registry, metrics.tags());
        try {
            if (config.socketPath() != null) {
                listeners.add(SocketListener.start(new ListenEndpoint.Unix(config.socketPath()), config.collectorId(),
                        publisher, connections, config.maxFrameBytes(), metrics, clock));
            }
            if (config.tcpListen() != null) {
                listeners.add(SocketListener.start(new ListenEndpoint.Tcp(config.tcpListen()), config.collectorId(),
                        publisher, connections, config.maxFrameBytes(), metrics, clock));
            }
            this.ops = config.monitoring() == null ? null
                    : new OpsServer(service, registry, this::readiness, this::stats, clock)
                            .start(config.monitoring().host(), config.monitoring().port());
        } catch (IOException | RuntimeException e) {
            closeParts();
            throw e;
        }
    }

    /** Starts listening and publishing; close to stop. */
    public static Collector start(CollectorConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    public static Collector start(CollectorConfig config, Clock clock) throws IOException {
        log.info("Starting collector {}: publishing to topic {} on {}", config.collectorId(), config.topic(),
                config.kafkaBootstrap());
        return new Collector(config, clock);
    }

    /** The listeners, e.g. to learn the TCP port chosen for port 0. */
    public List<SocketListener> listeners() {
        return List.copyOf(listeners);
    }

    /** The port of the ops endpoint, or -1 when monitoring is off. */
    public int monitoringPort() {
        return ops == null ? -1 : ops.port();
    }

    /** Ready when every listener accepts and Kafka answers. */
    public Readiness readiness() {
        Readiness.Builder answer = Readiness.builder();
        for (SocketListener listener : listeners) {
            answer.require("listener " + listener.describe(), listener.listening(),
                    listener.listening() ? "accepting connections" : "not accepting connections");
        }
        KafkaProbe.Result kafka = kafkaProbe.probe();
        return answer.require("kafka", kafka.ok(), kafka.detail()).build();
    }

    private Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("collector_id", config.collectorId());
        stats.put("listeners", listeners.stream().map(SocketListener::describe).toList());
        stats.put("publish_outstanding_bytes", publisher.outstandingBytes());
        stats.put("connections", connections.list().stream().map(Connection::describe).toList());
        return stats;
    }

    /** Stops accepting, closes connections, then flushes what was read to Kafka. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeParts();
        }
    }

    private void closeParts() {
        listeners.forEach(SocketListener::close);
        publisher.close(FLUSH_TIMEOUT);
        kafkaProbe.close();
        if (ops != null) {
            ops.close();
        }
    }
}
