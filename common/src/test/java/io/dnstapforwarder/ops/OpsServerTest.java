package io.dnstapforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpsServerTest {

    private static final Instant STARTED = Instant.parse("2026-11-29T12:00:00Z");
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final AtomicBoolean alive = new AtomicBoolean(true);
    private final PrometheusMeterRegistry registry = ComponentMetrics.newPrometheusRegistry();
    private final OpsServer server = new OpsServer(
            new ServiceInfo("collector", "host-1", "1.2.3", STARTED), registry,
            () -> Readiness.builder().require("listener", alive.get(), alive.get() ? "accepting" : "died").build(),
            () -> Readiness.builder().require("kafka", ready.get(), ready.get() ? "answers" : "down").build(),
            () -> Map.of("connections", 3),
            Clock.fixed(STARTED.plus(Duration.ofMillis(90_500)), ZoneOffset.UTC))
            .start("127.0.0.1", 0);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void answersHealthInTheGoForwardersShapeWithUptimeInSecondsToo() throws Exception {
        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("healthy");
        assertThat(body.get("uptime").asText()).isEqualTo("1m31s");
        assertThat(body.get("uptime_seconds").asDouble()).isEqualTo(90.5);
        assertThat(body.get("version").asText()).isEqualTo("1.2.3");
        assertThat(body.at("/checks/listener/ok").asBoolean()).isTrue();
    }

    @Test
    void answersHealth503NamingTheCheckWhenThePartThatMustRunDied() throws Exception {
        alive.set(false);

        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("unhealthy");
        assertThat(body.at("/checks/listener/detail").asText()).isEqualTo("died");
    }

    @Test
    void answersReady200OnlyWhileEveryCheckHolds() throws Exception {
        HttpResponse<String> up = get("/ready");
        ready.set(false);
        HttpResponse<String> down = get("/ready");

        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(json.readTree(up.body()).get("status").asText()).isEqualTo("READY");
        assertThat(down.statusCode()).isEqualTo(503);
        JsonNode body = json.readTree(down.body());
        assertThat(body.get("status").asText()).isEqualTo("NOT_READY");
        assertThat(body.at("/checks/kafka/ok").asBoolean()).isFalse();
        assertThat(body.at("/checks/kafka/detail").asText()).isEqualTo("down");
    }

    @Test
    void saysWhichBuildAndRuntimeItRunsAsAMetric() throws Exception {
        assertThat(get("/metrics").body()).contains("dnstap_build_info{component_id=\"host-1\",component_kind=\"collector\","
                + "java_version=\"" + Runtime.version() + "\",version=\"1.2.3\"} 1");
    }

    @Test
    void servesPrometheusTextWithTheComponentCounters() throws Exception {
        ComponentMetrics metrics = new ComponentMetrics(registry, "collector", "host-1");
        metrics.received(3, 300);
        metrics.error("frame_too_large", Stage.RECEIVING);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body())
                .contains("dnstap_component_received_events_total{component_id=\"host-1\",component_kind=\"collector\"} 3.0")
                .contains("dnstap_component_received_bytes_total{component_id=\"host-1\",component_kind=\"collector\"} 300.0")
                .contains("dnstap_component_errors_total{component_id=\"host-1\",component_kind=\"collector\","
                        + "error_type=\"frame_too_large\",stage=\"receiving\"} 1.0")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void servesTheGoForwardersMetricsAsJsonWhenAskedForJson() throws Exception {
        ComponentMetrics metrics = new ComponentMetrics(registry, "collector", "host-1");
        metrics.received(10, 1000);
        metrics.sent(7, 700);
        metrics.error("malformed_frame", Stage.RECEIVING);
        metrics.error("undecodable", Stage.PROCESSING);
        metrics.error("kafka_refused", Stage.SENDING);
        metrics.error("kafka_refused", Stage.SENDING);
        Timer.builder("dnstap.collector.publish.latency").register(registry).record(Duration.ofMillis(30));
        Timer.builder("dnstap.collector.publish.latency").register(registry).record(Duration.ofMillis(10));
        AtomicInteger open = new AtomicInteger(4);
        Gauge.builder("dnstap.collector.connections.active", open, AtomicInteger::get).register(registry);

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/metrics")).header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("events_processed").asLong()).isEqualTo(10);
        assertThat(body.get("output_success").asLong()).isEqualTo(7);
        assertThat(body.get("connection_errors").asLong()).isEqualTo(1);
        assertThat(body.get("processing_errors").asLong()).isEqualTo(1);
        assertThat(body.get("output_errors").asLong()).isEqualTo(2);
        assertThat(body.get("active_connections").asLong()).isEqualTo(4);
        assertThat(body.get("average_latency").asDouble()).isEqualTo(20.0);
        assertThat(body.get("events_per_second").asDouble()).isPositive();
        assertThat(get("/metrics").body()).as("Prometheus, without the header").contains("dnstap_component_received_events_total");
    }

    @Test
    void writesUptimeAsGoDoes() {
        assertThat(GoDuration.format(Duration.ofSeconds(9015))).isEqualTo("2h30m15s");
        assertThat(GoDuration.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
        assertThat(GoDuration.format(Duration.ofSeconds(60))).isEqualTo("1m0s");
        assertThat(GoDuration.format(Duration.ofMillis(400))).isEqualTo("0s");
        assertThat(GoDuration.format(Duration.ofDays(3).plusSeconds(5))).isEqualTo("72h0m5s");
    }

    @Test
    void servesStatsAndServiceInfoAsJson() throws Exception {
        assertThat(json.readTree(get("/stats").body()).get("connections").asInt()).isEqualTo(3);
        JsonNode info = json.readTree(get("/").body());
        assertThat(info.get("service").asText()).isEqualTo("dnstap-forwarder collector");
        assertThat(info.get("instance").asText()).isEqualTo("host-1");
        assertThat(info.get("endpoints").has("/metrics")).isTrue();
    }

    @Test
    void knowsTheBuildVersion() {
        assertThat(ServiceInfo.BUILD_VERSION).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void listensOnlyOnTheAddressItWasGiven() throws Exception {
        try (OpsServer onSecondLoopback = new OpsServer(new ServiceInfo("shipper", "host-1", "1.2.3", STARTED),
                ComponentMetrics.newPrometheusRegistry(),
                () -> Readiness.builder().build(), () -> Readiness.builder().build(), Map::of, Clock.systemUTC())
                .start("127.0.0.2", 0)) {
            int port = onSecondLoopback.port();

            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(ConnectException.class);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
