package io.dnstapforwarder.shipper;

import io.dnstapforwarder.kafka.GroupProtocol;
import io.dnstapforwarder.kafka.KafkaClientMeters;
import io.dnstapforwarder.kafka.KafkaProbe;
import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.PeriodicLog;
import io.dnstapforwarder.ops.OpsServer;
import io.dnstapforwarder.ops.Readiness;
import io.dnstapforwarder.ops.ServiceInfo;
import io.dnstapforwarder.ops.StartedParts;
import io.dnstapforwarder.ops.Watchdog;
import io.dnstapforwarder.retry.Backoff;
import io.dnstapforwarder.shipper.batch.RecordBatcher;
import io.dnstapforwarder.shipper.consume.Bounds;
import io.dnstapforwarder.shipper.consume.GroupSubscription;
import io.dnstapforwarder.shipper.consume.RangeSubscription;
import io.dnstapforwarder.shipper.consume.ShipperLoop;
import io.dnstapforwarder.shipper.deadletter.DeadLetterFit;
import io.dnstapforwarder.shipper.deadletter.DeadLetterPublisher;
import io.dnstapforwarder.shipper.deliver.Breakers;
import io.dnstapforwarder.shipper.deliver.DeadLetterGate;
import io.dnstapforwarder.shipper.deliver.DeliveryPipeline;
import io.dnstapforwarder.shipper.deliver.Endpoint;
import io.dnstapforwarder.shipper.deliver.Endpoints;
import io.dnstapforwarder.shipper.deliver.PartitionStalls;
import io.dnstapforwarder.shipper.deliver.Sender;
import io.dnstapforwarder.shipper.hec.AckPoller;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.hec.HecSink;
import io.dnstapforwarder.shipper.hec.JsonLinesFileSink;
import io.dnstapforwarder.shipper.hec.TokenSource;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.render.HecRouting;
import io.dnstapforwarder.shipper.shape.DropCounters;
import io.dnstapforwarder.shipper.shape.ShapedRenderer;
import io.dnstapforwarder.shipper.shape.ShapingFilter;
import io.dnstapforwarder.shipper.shape.LiveShaping;
import io.dnstapforwarder.shipper.shape.ServerMeters;
import io.dnstapforwarder.time.Time;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipper service: a consumer loop on its own thread, a pool of delivery workers sending to
 * one or more HEC endpoints (or a local file), a dead-letter producer, and an ops endpoint. This
 * class only wires them and stops them in order.
 */
public final class Shipper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Shipper.class);
    /** The longest any one part may take to stop, the loop aside. */
    private static final Duration STEP_LIMIT = Duration.ofSeconds(15);
    /** The loop's own shutdown waits (flush 10 s, final commit, consumer close 10 s), and some room. */
    private static final Duration LOOP_STOP_LIMIT = Duration.ofSeconds(40);
    private static final Duration CONSUMER_CLOSE = Duration.ofSeconds(10);
    /** A request or ack query running this much past its own timeout is stuck: a bound has failed. */
    private static final Duration STUCK_MARGIN = Duration.ofSeconds(30);
    /**
     * With indexer acknowledgement, batches waiting for their ack beyond the two per worker: enough
     * to keep the workers busy through an ack delay of a second or two at full speed.
     */
    private static final int ACK_WINDOW_BATCHES = 64;

    private final Endpoints endpoints;
    private final DeadLetterPublisher deadLetters;
    private final AckTracker acks;
    private final KafkaClientMeters consumerMetrics;
    private final ShipperLoop loop;
    private final RangeSubscription range;
    private final ComponentMetrics metrics;
    private final DeliveryPipeline pipeline;
    private final Thread thread;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final KafkaProbe topicProbe;
    private final LiveShaping shaping;
    private final ShipperStatus status;
    private final OpsServer ops;
    private final PeriodicLog performanceLog;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final StartedParts parts = new StartedParts("shipper");
    private final Watchdog watchdog;

    /** @param range what a bounded run reads, or {@code null} to follow the topic as a group member */
    private Shipper(ShipperConfig config, RangeSubscription range, Time time) throws IOException {
        this.range = range;
        this.watchdog = new Watchdog(time::nanoTime);
        PrometheusMeterRegistry registry = ComponentMetrics.newPrometheusRegistry();
        this.metrics = new ComponentMetrics(registry, "shipper", config.shipperId());
        // A bad shaping rule or routing file stops start-up before anything else starts.
        HecRouting routing = config.hec().routing();
        log.info("HEC routing: {}", routing.describe());
        this.shaping = parts.started("shaping file watcher", LiveShaping.start(config.shaping(), metrics,
                routingWatched(routing)), STEP_LIMIT);
        try {
            HecConfig hec = config.hec();
            this.endpoints = endpoints(config, new Breakers(hec.breaker().enabled(), hec.breaker().failureRatePercent(),
                    hec.breaker().window(), hec.breaker().openFor(), registry, metrics.tags()));
            parts.started("HEC endpoints", endpoints, STEP_LIMIT, () -> endpoints.all().forEach(e -> e.sink().close()));
            Backoff retries = Backoff.withJitter(hec.retryBase(), hec.retryMax());
            Duration callLimit = hec.requestTimeout().plus(STUCK_MARGIN);
            Sender sender = new Sender(endpoints, retries, hec.maxRetries(), metrics, time, watchdog,
                    callLimit);
            String clientId = "dnstap-shipper-" + config.shipperId();
            ShipperConfig.Kafka kafka = config.kafka();
            DeadLetterFit.check(KafkaSettings.admin(kafka.bootstrap(), clientId + "-sizes", kafka.properties()),
                    kafka.topic(), kafka.deadLetterTopic());
            this.deadLetters = parts.started("dead-letter producer", new DeadLetterPublisher(new KafkaProducer<>(
                    KafkaSettings.producer(kafka.bootstrap(), clientId + "-dlq", kafka.properties())),
                    kafka.deadLetterTopic(), config.shipperId()), STEP_LIMIT);
            this.acks = parts.started("ack poller", hec.ack().enabled()
                    ? new AckPoller(hec.ack().pollInterval(), hec.ack().timeout(), metrics, time, watchdog,
                            callLimit)
                    : AckTracker.NONE, STEP_LIMIT);
            PartitionStalls stalls = new PartitionStalls(time);
            DeadLetterGate gate = new DeadLetterGate(config.guards().deadLetterMaxPercent(), time);
            DropCounters drops = new DropCounters(metrics);
            if (config.shaping().enrichment().suspicion() != null) {
                config.shaping().enrichment().suspiciousCounts().register(metrics);
            }
            if (config.shaping().enrichment().geoip() != null) {
                config.shaping().enrichment().geoip().register(metrics);
            }
            ServerMeters servers = config.shaping().serverMetrics() > 0
                    ? new ServerMeters(metrics, config.shaping().serverMetrics()) : null;
            // The profile is the shaping rules' (they may change); the privacy is fixed (it holds a key).
            HecEventRenderer.Settings rendering = new HecEventRenderer.Settings(routing, EventProfile.FULL,
                    config.shaping().privacy(), config.shaping().enrichment());
            this.pipeline = parts.started("delivery workers", new DeliveryPipeline(hec.concurrency(),
                    () -> new ShapedRenderer(shaping, new HecEventRenderer(rendering), servers),
                    config.batching().maxBytes(), new DeliveryPipeline.Parts(sender, deadLetters, gate, acks, stalls,
                            retries, time, metrics)), STEP_LIMIT);
            Map<String, Object> consumerConfig = KafkaSettings.consumer(kafka.bootstrap(), kafka.group(), clientId,
                    fetchWait(config.batching().flushInterval()), kafka.properties());
            if (range == null) { // a group member: rebalances move only what changes owner
                consumerConfig.putAll(GroupProtocol.settings(KafkaSettings.admin(kafka.bootstrap(),
                        clientId + "-features", kafka.properties()), kafka.properties()));
            }
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig);
            // The loop closes the consumer when it ends; this closes it when the loop never ran.
            parts.started("consumer", consumer, STEP_LIMIT, () -> consumer.close(CONSUMER_CLOSE));
            this.consumerMetrics = parts.started("consumer metrics", KafkaClientMeters.of(consumer, metrics.tags(),
                    registry), STEP_LIMIT);
            ShipperConfig.Batching batching = config.batching();
            // Two batches per worker, one being sent and one waiting, so that no worker idles between requests.
            int maxInFlight = hec.concurrency() * 2 + (hec.ack().enabled() ? ACK_WINDOW_BATCHES : 0);
            this.loop = new ShipperLoop(consumer, kafka.bootstrap(),
                    range != null ? range : new GroupSubscription(kafka.topic()),
                    new ShapingFilter(shaping, drops, servers),
                    new RecordBatcher(batching.maxEvents(), RecordBatcher.MAX_BATCH_RECORD_BYTES, batching.flushInterval()),
                    pipeline, stalls, maxInFlight, metrics, time, watchdog, config.transactions());
            this.thread = new Thread(() -> {
                try {
                    loop.run();
                } finally {
                    ended.complete(null);
                }
            }, "dnstap-shipper");
            thread.start();
            // The loop delivers what it fetched and commits before it stops (bounded by its own waits).
            parts.started("consumer loop", loop, LOOP_STOP_LIMIT, () -> {
                loop.stop();
                thread.join(LOOP_STOP_LIMIT.toMillis());
            });
            this.topicProbe = parts.started("topic probe", new KafkaProbe(KafkaSettings.admin(kafka.bootstrap(),
                    clientId + "-probe", kafka.properties()), kafka.topic(), Duration.ofSeconds(5), Duration.ofSeconds(3),
                    time.clock()), STEP_LIMIT);
            this.status = new ShipperStatus(config, loop, pipeline, sender, acks, stalls, gate, metrics,
                    topicProbe::probe, watchdog);
            this.performanceLog = parts.started("performance log", status.performanceLog(
                    config.performanceLogInterval(), time), STEP_LIMIT);
            this.ops = config.monitoring() == null ? null : parts.started("ops endpoint",
                    new OpsServer(ServiceInfo.starting("shipper", config.shipperId(), time.now()), registry, status::liveness,
                            status::readiness, status::stats, time.clock()).start(config.monitoring().host(),
                            config.monitoring().port()), STEP_LIMIT);
        } catch (IOException | RuntimeException | Error e) {
            log.error("The shipper could not start: {}; stopping what had started", e.toString());
            parts.close();
            throw e;
        }
    }

    /**
     * How long a fetch may wait for records to gather: half the flush interval, at most Kafka's
     * default, so that a record's wait in the broker and in its batch stay within the latency the
     * flush interval promises.
     */
    static Duration fetchWait(Duration flushInterval) {
        Duration half = flushInterval.dividedBy(2);
        return half.compareTo(KafkaSettings.MAX_FETCH_WAIT) < 0 ? half : KafkaSettings.MAX_FETCH_WAIT;
    }

    /** One endpoint per HEC URL, all with the same token and TLS settings; or the local file without a URL. */
    private static Endpoints endpoints(ShipperConfig config, Breakers breakers) throws IOException {
        HecConfig hec = config.hec();
        if (hec.urls().isEmpty()) {
            log.warn("No HEC URL set (--hec-url / DNSTAP_HEC_URL): writing HEC events as JSON lines to {}",
                    config.eventsFile().toAbsolutePath());
            JsonLinesFileSink file = new JsonLinesFileSink(config.eventsFile());
            return new Endpoints(List.of(new Endpoint(file, breakers.create(file.describe()))));
        }
        TokenSource token = hec.tokenFile() != null ? TokenSource.file(hec.tokenFile()) : TokenSource.fixed(hec.token());
        List<Endpoint> endpoints = new ArrayList<>();
        for (HecSink sink : HecSink.connect(hec.urls(), token, hec.tls().caFile(), hec.tls().verify(),
                hec.compressionLevel(), hec.requestTimeout())) {
            endpoints.add(new Endpoint(sink, breakers.create(sink.url().toString())));
        }
        return new Endpoints(endpoints);
    }

    /** Starts consuming and delivering; close to stop. */
    public static Shipper start(ShipperConfig config) throws IOException {
        return start(config, Time.SYSTEM);
    }

    public static Shipper start(ShipperConfig config, Time time) throws IOException {
        log.info("Starting shipper {}: topic {} (group {}) on {} to {}", config.shipperId(), config.kafka().topic(),
                config.kafka().group(), config.kafka().bootstrap(), config.destination());
        return new Shipper(config, null, time);
    }

    /**
     * Starts a bounded run (replay, redrive): it delivers the records of {@code bounds} and ends by
     * itself ({@link #ended()}); {@link #summary()} then says what it did.
     */
    public static Shipper startBounded(ShipperConfig config, Bounds bounds) throws IOException {
        RangeSubscription range = new RangeSubscription(config.kafka().topic(), bounds);
        log.info("Starting to ship {} (group {}) on {} to {}", range, config.kafka().group(), config.kafka().bootstrap(),
                config.destination());
        return new Shipper(config, range, Time.SYSTEM);
    }

    /** Completes when the consumer loop has ended: a bounded run is done, or the shipper was closed. */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    /**
     * What a bounded run did: whether it covered its whole range, the offsets it committed (how
     * far it really got), the events it delivered and dead-lettered, and what ended it early, if
     * anything did (Kafka refusing the consumer, say).
     */
    public record Summary(boolean completed, Bounds.Range range, Map<TopicPartition, Long> committed, long delivered,
            long deadLettered, Throwable failure) {
    }

    public Summary summary() {
        return new Summary(loop.completed(), range == null ? null : range.range(), loop.committed(), metrics.sentEvents(),
                pipeline.deadLettered(), loop.status().failure());
    }

    /** Whether the shipper's parts that must run do ({@code /health}). */
    public Readiness liveness() {
        return status.liveness();
    }

    public int monitoringPort() {
        return ops == null ? -1 : ops.port();
    }

    public Readiness readiness() {
        return status.readiness();
    }

    /**
     * Stops what started, the last first: readiness says so, the ops endpoint closes, the loop
     * delivers what is batched (bounded), commits and leaves the group, then the producers and
     * watchers stop. Every step has a deadline; one that does not finish is logged and left behind.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        status.closing();
        parts.close();
    }

    /** The routing file, when there is one, watched with the shaping file: changes apply without a restart. */
    public static List<LiveShaping.Watched> routingWatched(HecRouting routing) {
        return routing.file() == null ? List.of() : List.of(new LiveShaping.Watched(routing.file(), "HEC routing",
                "hec_routing_file_refused", routing::reload, routing::describe));
    }

}
