package io.dnstapforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
    void answersHealthWithStatusUptimeAndVersion() throws Exception {
        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("UP");
        assertThat(body.get("uptime").asDouble()).isEqualTo(90.5);
        assertThat(body.get("version").asText()).isEqualTo("1.2.3");
    }

    @Test
    void answersHealth503NamingTheCheckWhenThePartThatMustRunDied() throws Exception {
        alive.set(false);

        HttpResponse<String> response = get("/health");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
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
    void servesPrometheusTextWithTheComponentCounters() throws Exception {
        ComponentMetrics metrics = new ComponentMetrics(registry, "collector", "host-1");
        metrics.received(3, 300);
        metrics.error("frame_too_large", Stage.RECEIVING);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body())
                .contains("component_received_events_total{component_id=\"host-1\",component_kind=\"collector\"} 3.0")
                .contains("component_received_bytes_total{component_id=\"host-1\",component_kind=\"collector\"} 300.0")
                .contains("component_errors_total{component_id=\"host-1\",component_kind=\"collector\","
                        + "error_type=\"frame_too_large\",stage=\"receiving\"} 1.0")
                .contains("jvm_memory_used_bytes");
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

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
