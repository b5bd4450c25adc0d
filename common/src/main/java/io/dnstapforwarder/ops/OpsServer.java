package io.dnstapforwarder.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations HTTP endpoint each service runs: {@code /} (service info), {@code /health}
 * (liveness), {@code /ready} (readiness), {@code /metrics} (Prometheus text) and {@code /stats}
 * (JSON). Javalin stays inside this class.
 */
public final class OpsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Map<String, String> ENDPOINTS = endpoints();

    private final ServiceInfo service;
    private final PrometheusMeterRegistry registry;
    private final ReadinessCheck liveness;
    private final ReadinessCheck readiness;
    private final Supplier<?> stats;
    private final Clock clock;
    private final SeedMetrics seedMetrics;
    private Javalin app;

    /**
     * @param liveness whether the process can still do its job at all: its threads that must run
     *     do; failing, {@code /health} answers 503 and an orchestrator restarts the process
     * @param readiness whether it can do its job right now
     */
    public OpsServer(ServiceInfo service, PrometheusMeterRegistry registry, ReadinessCheck liveness,
            ReadinessCheck readiness, Supplier<?> stats, Clock clock) {
        this.service = service;
        this.registry = registry;
        this.liveness = liveness;
        this.readiness = readiness;
        this.stats = stats;
        this.clock = clock;
        this.seedMetrics = new SeedMetrics(registry, System::nanoTime);
        // Readiness and liveness as metrics too, so that alerts can say how long a service has not been ready.
        Gauge.builder("dnstap.ready", readiness, check -> check.check().ready() ? 1 : 0)
                .description("1 while /ready answers 200, else 0")
                .tags("component.kind", service.kind(), "component.id", service.instanceId())
                .register(registry);
        Gauge.builder("dnstap.alive", liveness, check -> check.check().ready() ? 1 : 0)
                .description("1 while /health answers 200, else 0: a part that must run has stopped")
                .tags("component.kind", service.kind(), "component.id", service.instanceId())
                .register(registry);
        // Always 1: which build and runtime each instance runs, for a fleet half way through an upgrade.
        Gauge.builder("dnstap.build.info", () -> 1)
                .description("1, with the version of dnstap-forwarder and of the Java runtime in its labels")
                .tags("component.kind", service.kind(), "component.id", service.instanceId(), "version",
                        service.version(), "java.version", Runtime.version().toString())
                .register(registry);
    }

    /** Starts listening; {@code port} 0 picks a free port (see {@link #port()}). */
    public OpsServer start(String host, int port) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.jetty.host = host;
            config.jetty.port = port;
            config.routes.get("/", this::info);
            config.routes.get("/health", this::health);
            config.routes.get("/ready", this::ready);
            config.routes.get("/metrics", this::metrics);
            config.routes.get("/stats", ctx -> ctx.json(stats.get()));
        }).start();
        log.info("{} ops endpoint listening on http://{}:{}/ ({})", service.kind(), host, app.port(),
                String.join(", ", ENDPOINTS.keySet()));
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }

    private void info(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", "dnstap-forwarder " + service.kind());
        body.put("instance", service.instanceId());
        body.put("version", service.version());
        body.put("started_at", service.startedAt().toString());
        body.put("endpoints", ENDPOINTS);
        ctx.json(body);
    }

    private void health(Context ctx) {
        Readiness alive = liveness.check();
        Map<String, Object> body = new LinkedHashMap<>();
        Duration uptime = service.uptime(clock.instant());
        // The Go dnstap-forwarder's shape, which its users' scripts read, and the uptime in seconds.
        body.put("status", alive.ready() ? "healthy" : "unhealthy");
        body.put("uptime", GoDuration.format(uptime));
        body.put("uptime_seconds", uptime.toMillis() / 1000.0);
        body.put("version", service.version());
        body.put("checks", alive.checks());
        ctx.status(alive.ready() ? 200 : 503).json(body);
    }

    private void ready(Context ctx) {
        Readiness answer = readiness.check();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", answer.ready() ? "READY" : "NOT_READY");
        body.put("checks", answer.checks());
        ctx.status(answer.ready() ? 200 : 503).json(body);
    }

    /** Prometheus text; JSON under the Go dnstap-forwarder's names when the client asks for JSON only. */
    private void metrics(Context ctx) {
        String accept = ctx.header("Accept");
        if (accept != null && accept.contains("application/json") && !accept.contains("text/plain")
                && !accept.contains("openmetrics")) {
            ctx.json(seedMetrics.snapshot());
            return;
        }
        ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape());
    }

    private static Map<String, String> endpoints() {
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("/health", "liveness: 200 while the process can do its job, 503 when it must be restarted");
        endpoints.put("/ready", "readiness: 200 when the service can do its job, 503 otherwise");
        endpoints.put("/metrics", "Prometheus metrics; with Accept: application/json, the Go dnstap-forwarder's JSON");
        endpoints.put("/stats", "JSON statistics");
        return endpoints;
    }
}
