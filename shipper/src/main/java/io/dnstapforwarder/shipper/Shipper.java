package io.dnstapforwarder.shipper;

import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.ops.OpsServer;
import io.dnstapforwarder.ops.Readiness;
import io.dnstapforwarder.ops.ServiceInfo;
import io.dnstapforwarder.shipper.batch.Batcher;
import io.dnstapforwarder.shipper.consume.DeadLetterPublisher;
import io.dnstapforwarder.shipper.consume.ShipperLoop;
import io.dnstapforwarder.shipper.hec.HecClient;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.sink.EventSink;
import io.dnstapforwarder.shipper.sink.HecSink;
import io.dnstapforwarder.shipper.sink.JsonLinesFileSink;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipper service: a consumer loop on its own thread delivering to HEC (or a local file), a
 * dead-letter producer, and an ops endpoint. This class only wires them and stops them in order.
 */
public final class Shipper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Shipper.class);
    /** How long the loop may go without polling before the shipper counts as not ready. */
    private static final Duration STALL = Duration.ofSeconds(60);

    private final ShipperConfig config;
    private final EventSink sink;
    private final DeadLetterPublisher deadLetters;
    private final ShipperLoop loop;
    private final Thread thread;
    private final OpsServer ops;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Shipper(ShipperConfig config, Clock clock) throws IOException {
        this.config = config;
        ServiceInfo service = ServiceInfo.startingNow("shipper", config.shipperId());
        PrometheusMeterRegistry registry = ComponentMetrics.newPrometheusRegistry();
        ComponentMetrics metrics = new ComponentMetrics(registry, "shipper", config.shipperId());
        this.sink = config.hecUrl() != null
                ? new HecSink(new HecClient(config.hecUrl(), config::hecToken, UUID.randomUUID(),
                        HecClient.defaultHttpClient(Duration.ofSeconds(10)), Duration.ofSeconds(30)))
                : new JsonLinesFileSink(config.eventsFile());
        if (config.hecUrl() == null) {
            log.warn("No HEC URL set (--hec-url / DNSTAP_HEC_URL): writing HEC events as JSON lines to {}",
                    config.eventsFile().toAbsolutePath());
        }
        String clientId = "dnstap-shipper-" + config.shipperId();
        this.deadLetters = new DeadLetterPublisher(new KafkaProducer<>(KafkaSettings.producer(config.kafkaBootstrap(),
                clientId + "-dlq", config.kafkaProperties())), config.deadLetterTopic(), config.shipperId());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(config.kafkaBootstrap(),
                config.group(), clientId, config.kafkaProperties()));
        this.loop = new ShipperLoop(consumer, config.topic(),
                new HecEventRenderer(new HecEventRenderer.Settings(config.hecSourcetype(), config.hecIndex())),
                new Batcher(config.batchSize(), config.batchBytes(), config.flushInterval()), sink, deadLetters,
                config.retryBase(), config.retryMax(), metrics, clock, System::nanoTime);
        this.thread = new Thread(loop, "dnstap-shipper");
        thread.start();
        this.ops = config.monitoring() == null ? null
                : new OpsServer(service, registry, this::readiness, this::stats, clock)
                        .start(config.monitoring().host(), config.monitoring().port());
    }

    /** Starts consuming and delivering; close to stop. */
    public static Shipper start(ShipperConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    public static Shipper start(ShipperConfig config, Clock clock) throws IOException {
        log.info("Starting shipper {}: topic {} (group {}) on {} to {}", config.shipperId(), config.topic(), config.group(),
                config.kafkaBootstrap(), config.hecUrl() != null ? config.hecUrl() : config.eventsFile());
        return new Shipper(config, clock);
    }

    public int monitoringPort() {
        return ops == null ? -1 : ops.port();
    }

    /** Ready while the loop polls and the sink does not refuse our configuration. */
    public Readiness readiness() {
        ShipperLoop.Status status = loop.status();
        boolean polling = status.running() && status.sincePoll().compareTo(STALL) < 0;
        boolean accepted = !(status.lastFailure() instanceof Outcome.Misconfigured);
        return Readiness.builder()
                .require("consuming", polling && status.assigned(), !status.running() ? "the consumer loop stopped"
                        : !status.assigned() ? "waiting for the consumer group to assign partitions"
                        : "last poll " + status.sincePoll().toMillis() + " ms ago")
                .require("sink", accepted, status.lastFailure() == null ? sink.describe() + " accepts events"
                        : sink.describe() + ": " + status.lastFailure())
                .build();
    }

    private Map<String, Object> stats() {
        ShipperLoop.Status status = loop.status();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("shipper_id", config.shipperId());
        stats.put("sink", sink.describe());
        stats.put("topic", config.topic());
        stats.put("group", config.group());
        stats.put("last_poll_ms_ago", status.sincePoll().toMillis());
        stats.put("last_failure", status.lastFailure() == null ? null : status.lastFailure().toString());
        return stats;
    }

    /** Flushes what is batched (bounded), commits, leaves the group, stops. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        loop.stop();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deadLetters.close();
        sink.close();
        if (ops != null) {
            ops.close();
        }
    }
}
