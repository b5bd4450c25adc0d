package io.dnstapforwarder.collector;

import io.dnstapforwarder.collector.listen.Connections;
import io.dnstapforwarder.collector.listen.ListenEndpoint;
import io.dnstapforwarder.collector.listen.SocketListener;
import io.dnstapforwarder.collector.monitor.CollectorMetrics;
import io.dnstapforwarder.collector.monitor.PerformanceLog;
import io.dnstapforwarder.collector.publish.KafkaEventPublisher;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.kafka.KafkaClientMeters;
import io.dnstapforwarder.kafka.KafkaProbe;
import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.PeriodicLog;
import io.dnstapforwarder.ops.OpsServer;
import io.dnstapforwarder.ops.Readiness;
import io.dnstapforwarder.ops.ServiceInfo;
import io.dnstapforwarder.time.Time;
import io.dnstapforwarder.tls.TlsContexts;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector service: listeners in front, a Kafka publisher behind, an ops endpoint beside.
 * This class only wires the parts together and stops them in order.
 */
public final class Collector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Collector.class);
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REAPER_PERIOD = Duration.ofSeconds(1);
    /**
     * The longest pause between a reader's reads, however light the traffic: a burst after a
     * quiet spell waits in the sender's socket at most this long before it is read.
     */
    private static final Duration MAX_READ_PAUSE = Duration.ofMillis(50);
    /** How often Kafka is asked whether it answers, to log an outage and the recovery: a request each time. */
    private static final Duration KAFKA_WATCH_PERIOD = Duration.ofSeconds(10);

    private final CollectorConfig config;
    private final CollectorMetrics metrics;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaClientMeters producerMetrics;
    private final KafkaEventPublisher publisher;
    private final KafkaProbe kafkaProbe;
    private final Connections connections;
    private final List<SocketListener> listeners = new ArrayList<>();
    private final ScheduledExecutorService reaper;
    private final PeriodicLog performanceLog;
    private final OpsServer ops;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CollectorStatus status;

    private Collector(CollectorConfig config, Time time) throws IOException {
        this.config = config;
        ServiceInfo service = ServiceInfo.starting("collector", config.collectorId(), time.now());
        PrometheusMeterRegistry registry = ComponentMetrics.newPrometheusRegistry();
        this.metrics = new CollectorMetrics(new ComponentMetrics(registry, "collector", config.collectorId()),
                config.monitoring().maxLatencySamples(), time);
        this.producer = new KafkaProducer<>(KafkaSettings.producer(config.kafkaBootstrap(),
                "dnstap-collector-" + config.collectorId(), config.limits().maxLatency(), producerProperties(config)));
        this.producerMetrics = KafkaClientMeters.of(producer, metrics.tags(), registry);
        this.publisher = new KafkaEventPublisher(producer, config.topic(), config.partitionKey(),
                config.limits().publishBufferBytes(), metrics, time);
        this.kafkaProbe = new KafkaProbe(KafkaSettings.admin(config.kafkaBootstrap(), "dnstap-collector-probe-"
                + config.collectorId(), config.kafkaProperties()), config.topic(), Duration.ofSeconds(2),
                Duration.ofSeconds(3), time.clock());
        this.connections = new Connections(config.limits().maxConnections(), config.limits().maxConnectionsPerSender(),
                time, registry, metrics.tags());
        this.status = new CollectorStatus(config, listeners, publisher, kafkaProbe, connections, metrics);
        this.reaper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dnstap-connection-reaper");
            thread.setDaemon(true);
            return thread;
        });
        OpsServer opsServer = null;
        PeriodicLog perfLog = null;
        try {
            SocketListener.Context context = new SocketListener.Context(config.collectorId(), publisher, connections,
                    config.limits().maxFrameBytes(), metrics, time, maxReadPause(config.limits().maxLatency()),
                    config.listen().allowFrom());
            CollectorConfig.Listen listen = config.listen();
            if (listen.socketPath() != null) {
                listeners.add(SocketListener.start(new ListenEndpoint.Unix(listen.socketPath(), listen.socketMode()), context));
            }
            if (listen.tcp() != null) {
                listeners.add(SocketListener.start(listen.tls() == null ? new ListenEndpoint.Tcp(listen.tcp())
                        : tlsEndpoint(listen.tcp(), listen.tls(), config.limits().readTimeout()), context));
            }
            reaper.scheduleAtFixedRate(() -> closeTimedOut(time.nanoTime()), REAPER_PERIOD.toMillis(),
                    REAPER_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
            reaper.scheduleWithFixedDelay(status::watchKafka, KAFKA_WATCH_PERIOD.toMillis(), KAFKA_WATCH_PERIOD.toMillis(),
                    TimeUnit.MILLISECONDS);
            perfLog = PerformanceLog.start(config.monitoring().performanceLogInterval(), time, metrics, connections::count,
                    publisher::outstandingBytes);
            if (config.monitoring().endpoint() != null) {
                opsServer = new OpsServer(service, registry, status::liveness, status::readiness, status::stats, time.clock())
                        .start(config.monitoring().endpoint().host(), config.monitoring().endpoint().port());
            }
        } catch (IOException | RuntimeException e) {
            this.performanceLog = perfLog;
            this.ops = opsServer;
            closeParts();
            throw e;
        }
        this.performanceLog = perfLog;
        this.ops = opsServer;
    }

    /** The longest readers wait between reads to take frames together: half the latency allowed, at most 50 ms. */
    static Duration maxReadPause(Duration maxLatency) {
        Duration half = maxLatency.dividedBy(2);
        return half.compareTo(MAX_READ_PAUSE) < 0 ? half : MAX_READ_PAUSE;
    }

    /** Starts listening and publishing; close to stop. */
    public static Collector start(CollectorConfig config) throws IOException {
        return start(config, Time.SYSTEM);
    }

    /** @param time the collector's clocks and its waits on purpose (after refusing a connection, say) */
    public static Collector start(CollectorConfig config, Time time) throws IOException {
        log.info("Starting collector {}: publishing to topic {} on {}", config.collectorId(), config.topic(),
                config.kafkaBootstrap());
        return new Collector(config, time);
    }

    /**
     * The producer's buffer is twice the publish budget (at least 32 MiB), so the producer never
     * blocks a send for buffer space: the budget, not the producer, stops the reading. A
     * buffer.memory given with --kafka-property wins.
     */
    private static Map<String, String> producerProperties(CollectorConfig config) {
        Map<String, String> properties = new LinkedHashMap<>();
        long buffer = Math.max(32L * 1024 * 1024, 2L * config.limits().publishBufferBytes());
        properties.put(org.apache.kafka.clients.producer.ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(buffer));
        properties.putAll(config.kafkaProperties());
        return properties;
    }

    private static ListenEndpoint tlsEndpoint(HostPort address, CollectorConfig.Tls tls, Duration handshakeTimeout) {
        try {
            return new ListenEndpoint.Tls(address, TlsContexts.server(tls.certificate(), tls.key(), tls.clientCa()),
                    tls.clientCa() != null, handshakeTimeout, tls.requireIdentityMatch());
        } catch (IOException e) {
            throw new ConfigException("Cannot use --tls-cert (DNSTAP_TLS_CERT), --tls-key (DNSTAP_TLS_KEY) or "
                    + "--tls-client-ca (DNSTAP_TLS_CLIENT_CA): " + e.getMessage());
        }
    }

    /** The listeners, e.g. to learn the TCP port chosen for port 0. */
    public List<SocketListener> listeners() {
        return List.copyOf(listeners);
    }

    /** The port of the ops endpoint, or -1 when monitoring is off. */
    public int monitoringPort() {
        return ops == null ? -1 : ops.port();
    }

    /** Ready when every listener accepts, Kafka answers, and Kafka takes the collector's events. */
    public Readiness readiness() {
        return status.readiness();
    }

    /** Alive while the threads that must run do: each listener's acceptor and the publisher's retry thread. */
    public Readiness liveness() {
        return status.liveness();
    }

    /** Closes connections that never START, idle connections, and connections stuck in the middle of a frame. */
    void closeTimedOut(long nowNanos) {
        CollectorConfig.Limits limits = config.limits();
        listeners.forEach(listener -> listener.closeTimedOut(nowNanos, limits.startTimeout(), limits.idleTimeout(),
                limits.readTimeout()));
    }

    /** Stops accepting, closes connections, then flushes what was read to Kafka. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            status.closing();
            closeParts();
        }
    }

    private void closeParts() {
        reaper.shutdownNow();
        listeners.forEach(SocketListener::close);
        publisher.close(FLUSH_TIMEOUT);
        producerMetrics.close();
        kafkaProbe.close();
        if (performanceLog != null) {
            performanceLog.close();
        }
        if (ops != null) {
            ops.close();
        }
    }
}
