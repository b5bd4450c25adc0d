package io.dnstapforwarder.shipper;

import io.dnstapforwarder.kafka.KafkaClientMeters;
import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.PeriodicLog;
import io.dnstapforwarder.ops.OpsServer;
import io.dnstapforwarder.ops.Readiness;
import io.dnstapforwarder.ops.ServiceInfo;
import io.dnstapforwarder.shipper.batch.RecordBatcher;
import io.dnstapforwarder.shipper.consume.Bounds;
import io.dnstapforwarder.shipper.consume.ShipperLoop;
import io.dnstapforwarder.shipper.deliver.AckTracker;
import io.dnstapforwarder.shipper.deliver.Backoff;
import io.dnstapforwarder.shipper.deliver.Breakers;
import io.dnstapforwarder.shipper.deliver.DeadLetterPublisher;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.Endpoint;
import io.dnstapforwarder.shipper.deliver.Endpoints;
import io.dnstapforwarder.shipper.deliver.Sender;
import io.dnstapforwarder.shipper.hec.HecClient;
import io.dnstapforwarder.shipper.hec.HecTls;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.hec.TokenSource;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.sink.HecSink;
import io.dnstapforwarder.shipper.sink.JsonLinesFileSink;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipper service: a consumer loop on its own thread, a pool of delivery workers sending to
 * one or more HEC endpoints (or a local file), a dead-letter producer, and an ops endpoint. This
 * class only wires them and stops them in order.
 */
public final class Shipper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Shipper.class);
    /** How long the loop may go without polling before the shipper counts as not ready. */
    private static final Duration STALL = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /**
     * With indexer acknowledgement, batches waiting for their ack beyond the two per worker: enough
     * to keep the workers busy through an ack delay of a second or two at full speed.
     */
    private static final int ACK_WINDOW_BATCHES = 64;

    private final ShipperConfig config;
    private final Endpoints endpoints;
    private final Sender sender;
    private final DeadLetterPublisher deadLetters;
    private final AckTracker acks;
    private final KafkaClientMeters consumerMetrics;
    private final ShipperLoop loop;
    private final Thread thread;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final PrometheusMeterRegistry registry;
    private final OpsServer ops;
    private final PeriodicLog performanceLog;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Shipper(ShipperConfig config, Bounds bounds, Clock clock) throws IOException {
        this.config = config;
        ServiceInfo service = ServiceInfo.startingNow("shipper", config.shipperId());
        this.registry = ComponentMetrics.newPrometheusRegistry();
        ComponentMetrics metrics = new ComponentMetrics(registry, "shipper", config.shipperId());
        ShipperConfig.Hec hec = config.hec();
        this.endpoints = endpoints(config, new Breakers(hec.breaker().enabled(), hec.breaker().failureRatePercent(),
                hec.breaker().window(), hec.breaker().openFor(), registry));
        this.sender = new Sender(endpoints, new Backoff(hec.retryBase(), hec.retryMax(),
                () -> ThreadLocalRandom.current().nextDouble()), hec.maxRetries(), metrics, System::nanoTime);
        String clientId = "dnstap-shipper-" + config.shipperId();
        ShipperConfig.Kafka kafka = config.kafka();
        this.deadLetters = new DeadLetterPublisher(new KafkaProducer<>(KafkaSettings.producer(kafka.bootstrap(),
                clientId + "-dlq", kafka.properties())), kafka.deadLetterTopic(), config.shipperId());
        this.acks = hec.ack().enabled()
                ? new AckTracker(hec.ack().pollInterval(), hec.ack().timeout(), metrics, System::nanoTime) : null;
        DeliveryPipeline pipeline = new DeliveryPipeline(hec.concurrency(),
                new HecEventRenderer.Settings(hec.sourcetype(), hec.index()), config.batching().maxBytes(), sender,
                deadLetters, acks, metrics, clock);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(kafka.bootstrap(),
                kafka.group(), clientId, kafka.properties()));
        this.consumerMetrics = KafkaClientMeters.of(consumer, metrics.tags(), registry);
        ShipperConfig.Batching batching = config.batching();
        // Two batches per worker, one being sent and one waiting, so that no worker idles between requests.
        int maxInFlight = hec.concurrency() * 2 + (acks != null ? ACK_WINDOW_BATCHES : 0);
        this.loop = new ShipperLoop(consumer, kafka.topic(), bounds,
                new RecordBatcher(batching.maxEvents(), batching.maxBytes(), batching.flushInterval()), pipeline,
                endpoints, maxInFlight, metrics, System::nanoTime);
        this.thread = new Thread(() -> {
            try {
                loop.run();
            } finally {
                ended.complete(null);
            }
        }, "dnstap-shipper");
        thread.start();
        this.performanceLog = performanceLog(config.performanceLogInterval());
        this.ops = config.monitoring() == null ? null
                : new OpsServer(service, registry, this::readiness, this::stats, clock)
                        .start(config.monitoring().host(), config.monitoring().port());
    }

    /** One line per interval: what came from Kafka, what HEC took, what went wrong, how full the pipeline is. */
    private PeriodicLog performanceLog(Duration interval) {
        double[] last = {0, 0};
        return PeriodicLog.every(interval, seconds -> {
            double consumed = count("component.received.events");
            double delivered = count("component.sent.events");
            ShipperLoop.Status status = loop.status();
            Map<String, String> breakers = new LinkedHashMap<>();
            endpoints.all().forEach(endpoint -> breakers.put(endpoint.name(), endpoint.breaker().getState().name()));
            String line = String.format(java.util.Locale.ROOT,
                    "performance: %,.0f events/s consumed, %,.0f events/s delivered, %,.0f dead-lettered, %,.0f retries "
                            + "in all, %d batches in flight%s, endpoints %s", (consumed - last[0]) / seconds,
                    (delivered - last[1]) / seconds, count("dnstap.shipper.dead.lettered"),
                    count("dnstap.shipper.retries"), status.inFlight(), status.paused() ? " (paused)" : "", breakers);
            last[0] = consumed;
            last[1] = delivered;
            return line;
        });
    }

    private double count(String counter) {
        return registry.get(counter).counter().count();
    }

    /** One endpoint per HEC URL, all with the same token and TLS settings; or the local file without a URL. */
    private static Endpoints endpoints(ShipperConfig config, Breakers breakers) throws IOException {
        ShipperConfig.Hec hec = config.hec();
        if (hec.urls().isEmpty()) {
            log.warn("No HEC URL set (--hec-url / DNSTAP_HEC_URL): writing HEC events as JSON lines to {}",
                    config.eventsFile().toAbsolutePath());
            JsonLinesFileSink file = new JsonLinesFileSink(config.eventsFile());
            return new Endpoints(List.of(new Endpoint(file, breakers.create(file.describe()))));
        }
        TokenSource token = hec.tokenFile() != null ? TokenSource.file(hec.tokenFile()) : TokenSource.fixed(hec.token());
        HttpClient http = HecClient.httpClient(CONNECT_TIMEOUT, HecTls.context(hec.tls().caFile(), hec.tls().verify()));
        UUID channel = UUID.randomUUID(); // one channel per shipper instance, as HEC indexer acknowledgement wants
        List<Endpoint> endpoints = new ArrayList<>();
        for (URI url : hec.urls()) {
            HecSink sink = new HecSink(new HecClient(url, token, channel, http, REQUEST_TIMEOUT), hec.compressionLevel());
            endpoints.add(new Endpoint(sink, breakers.create(url.toString())));
        }
        return new Endpoints(endpoints);
    }

    /** Starts consuming and delivering; close to stop. */
    public static Shipper start(ShipperConfig config) throws IOException {
        return start(config, Clock.systemUTC());
    }

    public static Shipper start(ShipperConfig config, Clock clock) throws IOException {
        log.info("Starting shipper {}: topic {} (group {}) on {} to {}", config.shipperId(), config.kafka().topic(),
                config.kafka().group(), config.kafka().bootstrap(), config.destination());
        return new Shipper(config, null, clock);
    }

    /**
     * Starts a bounded run (replay, redrive): it delivers the records of {@code bounds} and ends by
     * itself ({@link #ended()}); {@link #summary()} then says what it did.
     */
    public static Shipper startBounded(ShipperConfig config, Bounds bounds) throws IOException {
        log.info("Starting to ship {} of topic {} (group {}) on {} to {}", describe(bounds), config.kafka().topic(),
                config.kafka().group(), config.kafka().bootstrap(), config.destination());
        return new Shipper(config, bounds, Clock.systemUTC());
    }

    private static String describe(Bounds bounds) {
        return (bounds.from() == null ? "everything" : "the records from " + bounds.from())
                + (bounds.to() == null ? " up to now" : " until " + bounds.to());
    }

    /** Completes when the consumer loop has ended: a bounded run is done, or the shipper was closed. */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    /** What a bounded run did: whether it covered its whole range, and the events it delivered and dead-lettered. */
    public record Summary(boolean completed, Bounds.Range range, long delivered, long deadLettered) {
    }

    public Summary summary() {
        return new Summary(loop.completed(), loop.range(), (long) count("component.sent.events"),
                (long) count("dnstap.shipper.dead.lettered"));
    }

    public int monitoringPort() {
        return ops == null ? -1 : ops.port();
    }

    /**
     * Ready while the loop polls its partitions and some endpoint takes requests: not while every
     * circuit breaker is open, nor while HEC refuses our token or URL.
     */
    public Readiness readiness() {
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

    private Map<String, Object> stats() {
        ShipperLoop.Status status = loop.status();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("shipper_id", config.shipperId());
        stats.put("topic", config.kafka().topic());
        stats.put("group", config.kafka().group());
        stats.put("dead_letter_topic", config.kafka().deadLetterTopic());
        stats.put("partitions", status.partitions());
        Map<String, String> breakers = new LinkedHashMap<>();
        endpoints.all().forEach(endpoint -> breakers.put(endpoint.name(), endpoint.breaker().getState().name()));
        stats.put("endpoints", breakers);
        stats.put("batches_in_flight", status.inFlight());
        if (acks != null) {
            stats.put("requests_awaiting_ack", acks.pending());
        }
        stats.put("paused", status.paused());
        stats.put("last_poll_ms_ago", status.sincePoll().toMillis());
        Outcome failure = sender.lastFailure();
        stats.put("last_failure", failure == null ? null : failure.toString());
        return stats;
    }

    /** Delivers what is batched (bounded), commits, leaves the group, stops. */
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
        consumerMetrics.close();
        performanceLog.close();
        if (acks != null) {
            acks.close();
        }
        deadLetters.close();
        endpoints.all().forEach(endpoint -> endpoint.sink().close());
        if (ops != null) {
            ops.close();
        }
    }
}
