package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.CHART;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.shipper.HecConfig;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.testkit.DnsPeers;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules in a real Prometheus (Debian's), scraping a running collector and shipper:
 * the HEC alert fires while HEC is down and resolves once it is back. promtool's unit tests check
 * each rule on made-up series; this checks that the series the services really export, as
 * Prometheus really scrapes and labels them, are the ones the rules ask for. The rules' `for` is
 * made 0 here (promtool's tests hold each one to its own), so that the test takes seconds.
 */
@Timeout(240)
class AlertsInPrometheusTest {

    private static final String TOKEN = "0b8e7f1c-0000-4000-8000-00000000a1e7";
    private static final String ALERT = "DnstapHecCircuitBreakerOpen";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theHecAlertFiresDuringAnOutageAndResolvesAfterIt() throws Exception {
        Path prometheus = DnsPeers.require("prometheus", "prometheus");
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("alerts"), 3);
        String deadLetters = TestKafka.createTopic(TestKafka.uniqueTopic("alerts-dlq"), 1);
        try (HecEmulator hec = HecEmulator.start(TOKEN);
                Collector collector = LocalServices.collector("alerts-collector", dir, topic);
                Shipper shipper = Shipper.start(LocalServices.shipper("alerts-shipper", dir, topic, deadLetters,
                        fastHec(hec.url())).build());
                Processes.Started server = startPrometheus(prometheus, collector.monitoringPort(), shipper.monitoringPort())) {
            int prometheusPort = Integer.parseInt(Files.readString(dir.resolve("prometheus.port")));
            InetSocketAddress tcp = LocalServices.tcp(collector);
            List<byte[]> frames = FrameStreamTestClient.replay(TestData.path(TestData.UNBOUND_SMALL), tcp, true);
            hec.awaitEvents(frames.size(), WAIT);
            // Prometheus has scraped both and evaluated the rules: healthy, the alert is not there.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(targetsUp(prometheusPort)).as(server.output()).containsExactlyInAnyOrder("dnstap-collector",
                        "dnstap-shipper");
                assertThat(states(prometheusPort)).doesNotContainKey(ALERT);
            });

            hec.stop();
            FrameStreamTestClient.send(frames, tcp, true); // traffic the shipper fails to deliver

            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(states(prometheusPort)).as(server.output()).containsEntry(ALERT, "firing"));
            JsonNode firing = alert(prometheusPort);
            assertThat(firing.at("/labels/job").asText()).isEqualTo("dnstap-shipper");
            assertThat(firing.at("/labels/component_id").asText()).isEqualTo("alerts-shipper");
            assertThat(firing.at("/labels/name").asText()).isEqualTo(hec.url().toString());
            assertThat(firing.at("/annotations/summary").asText()).contains(hec.url().toString());

            hec.start();
            hec.awaitEvents(2 * frames.size(), WAIT); // everything, the outage's events too
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(states(prometheusPort)).doesNotContainKey(ALERT));
        }
    }

    /**
     * A breaker that opens after 5 of 10 calls fail and probes again after 3 s; retries quick, so
     * that the outage is seen within seconds.
     */
    private static HecConfig fastHec(URI url) {
        return HecConfig.to(url, TOKEN).withRetries(Duration.ofMillis(20), Duration.ofMillis(300), 3)
                .withBreaker(new HecConfig.Breaker(true, 50, 10, Duration.ofSeconds(3)));
    }

    /**
     * Prometheus on a free loopback port, scraping both every second as the compose stack's jobs,
     * with the chart's rules made immediate; its port is left in {@code prometheus.port}.
     */
    private Processes.Started startPrometheus(Path prometheus, int collectorPort, int shipperPort) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Files.writeString(dir.resolve("prometheus.port"), Integer.toString(port));
        String rules = Files.readString(CHART.resolve("files/alerts.yml")).replaceAll("(?m)^(\\s+)for: \\d+[smh]$", "$1for: 0s");
        assertThat(rules).doesNotContainPattern("for: [1-9]");
        Files.writeString(dir.resolve("rules.yml"), rules);
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [rules.yml]
                scrape_configs:
                  - job_name: dnstap-collector
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                  - job_name: dnstap-shipper
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(collectorPort, shipperPort));
        Processes.Started server = Processes.start(List.of(prometheus.toString(), "--config.file=prometheus.yml",
                "--storage.tsdb.path=tsdb", "--web.listen-address=127.0.0.1:" + port), dir, dir.resolve("prometheus.log"),
                Map.of());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() ->
                assertThat(get(port, "/-/ready").statusCode()).as(server.output()).isEqualTo(200));
        return server;
    }

    /** Each alert's state (pending or firing) by name. */
    private Map<String, String> states(int port) throws Exception {
        Map<String, String> states = new java.util.TreeMap<>();
        for (JsonNode alert : json.readTree(get(port, "/api/v1/alerts").body()).at("/data/alerts")) {
            states.put(alert.at("/labels/alertname").asText(), alert.path("state").asText());
        }
        return states;
    }

    private JsonNode alert(int port) throws Exception {
        for (JsonNode alert : json.readTree(get(port, "/api/v1/alerts").body()).at("/data/alerts")) {
            if (alert.at("/labels/alertname").asText().equals(ALERT)) {
                return alert;
            }
        }
        throw new AssertionError(ALERT + " is gone");
    }

    /** The jobs with a target Prometheus scraped successfully. */
    private List<String> targetsUp(int port) throws Exception {
        List<String> jobs = new ArrayList<>();
        for (JsonNode target : json.readTree(get(port, "/api/v1/targets").body()).at("/data/activeTargets")) {
            if (target.path("health").asText().equals("up")) {
                jobs.add(target.at("/labels/job").asText());
            }
        }
        return jobs;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
