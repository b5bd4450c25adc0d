package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.CHART;
import static io.dnstapforwarder.deployment.Repository.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.HecConfig;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import io.dnstapforwarder.testkit.DnsPeers;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the alert rules only use metrics the services really export: every
 * metric name in their queries is found in a live scrape of a collector and a shipper that carried
 * real dnstap to a HEC endpoint (and saw one bad connection). Alerts also carry what operators
 * need (severity, summary, a runbook section that exists).
 */
@Timeout(180)
class ObservabilityAssetsTest {

    private static final Pattern METRIC = Pattern.compile("\\b((?:component|dnstap|kafka|resilience4j|jvm)_[a-zA-Z0-9_]+)");
    private static final Pattern LABELS = Pattern.compile("\\{[^}]*\\}|\\b(?:by|without|on|ignoring)\\s*\\([^)]*\\)");
    private static final String TOKEN = "8f6a3c2e-0000-4000-8000-0000000000aa";

    @TempDir
    Path dir;

    @Test
    void everyMetricTheDashboardAndAlertsQueryIsExported() throws Exception {
        Set<String> used = new TreeSet<>();
        used.addAll(metricsIn(dashboardQueries()));
        used.addAll(metricsIn(alertQueries()));
        assertThat(used).hasSizeGreaterThan(15);

        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("assets"), 3);
        String deadLetters = TestKafka.createTopic(TestKafka.uniqueTopic("assets-dlq"), 1);
        try (HecEmulator hec = HecEmulator.start(TOKEN);
                Collector collector = LocalServices.collector("assets-collector", dir, topic);
                Shipper shipper = Shipper.start(LocalServices.shipper("assets-shipper", dir, topic, deadLetters,
                        HecConfig.to(hec.url(), TOKEN)).transactions(PairingSettings.ON)
                        .shaping(io.dnstapforwarder.shipper.shape.Shaping.builder().enrichment(
                                io.dnstapforwarder.shipper.enrich.Enrichment.of(List.of("suspicious"), null)).build())
                        .build())) {
            InetSocketAddress tcp = LocalServices.tcp(collector);
            List<byte[]> frames = FrameStreamTestClient.replay(TestData.path(TestData.UNBOUND_SMALL), tcp, true);
            sendGarbage(tcp);
            hec.awaitEvents(frames.size() / 2, Duration.ofSeconds(60)); // each query paired with its response

            // Kafka's client metrics (the consumer lag) appear after the first fetches and a refresh;
            // jvm_gc_pause_seconds only after a collection, which a quiet JVM may not have had yet.
            System.gc();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                Set<String> exported = new TreeSet<>();
                exported.addAll(exportedNames(collector.monitoringPort()));
                exported.addAll(exportedNames(shipper.monitoringPort()));
                assertThat(exported).containsAll(used);
            });
        }
    }

    /** Where the runbook is published: the chart's home, branch main. */
    private static final String RUNBOOK_URL = Repository.yaml(CHART.resolve("Chart.yaml")).path("home").asText()
            + "/blob/main/docs/RUNBOOK.md#";

    @Test
    void everyAlertSaysHowBadItIsWhatHappenedAndWhereTheRunbookHandlesIt() {
        String runbook = Repository.read(ROOT.resolve("docs/RUNBOOK.md"));
        JsonNode rules = Repository.yaml(CHART.resolve("files/alerts.yml")).at("/groups/0/rules");
        assertThat(rules.size()).isGreaterThanOrEqualTo(6);
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertThat(rule.at("/labels/severity").asText()).as(name).isIn("warning", "critical");
            assertThat(rule.at("/annotations/summary").asText()).as(name).isNotBlank();
            assertThat(rule.at("/annotations/description").asText()).as(name).isNotBlank();
            // Absolute, as Alertmanager and Grafana link it; its section must exist in this checkout's runbook.
            String url = rule.at("/annotations/runbook_url").asText();
            assertThat(url).as(name).startsWith(RUNBOOK_URL);
            String anchor = url.substring(RUNBOOK_URL.length());
            assertThat(runbook).as(name + " runbook section").containsPattern("(?m)^#+ .*\\S");
            assertThat(headingAnchors(runbook)).as(name + ": runbook section #" + anchor).contains(anchor);
        }
    }

    @Test
    void promtoolFindsTheRulesValidAndEveryAlertPassesItsUnitTests() throws Exception {
        Path promtool = DnsPeers.require("promtool", "prometheus");

        promtool(promtool, "check", "rules", "charts/dnstap-forwarder/files/alerts.yml");
        // The series that fire each alert, the time its `for` holds it back, the time a windowed one ends.
        promtool(promtool, "test", "rules", "deployment/src/test/prometheus/alerts.test.yml");

        Set<String> alerts = new TreeSet<>();
        Repository.yaml(CHART.resolve("files/alerts.yml")).findValues("alert").forEach(a -> alerts.add(a.asText()));
        Set<String> tested = new TreeSet<>();
        Repository.yaml(ROOT.resolve("deployment/src/test/prometheus/alerts.test.yml")).findValues("alertname")
                .forEach(a -> tested.add(a.asText()));
        assertThat(tested).as("alerts with a unit test").isEqualTo(alerts);
    }

    private void promtool(Path promtool, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(arguments));
        Processes.Started run = Processes.start(command, ROOT, dir.resolve("promtool-" + arguments[0] + ".log"), Map.of());
        assertThat(run.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.process().exitValue()).as(run.output()).isZero();
    }

    @Test
    void theDashboardFiltersEveryPanelByNamespaceAndInstanceAndFollowsTheScrapeInterval() {
        JsonNode dashboard = Repository.yaml(CHART.resolve("files/dashboard.json"));
        List<String> variables = new ArrayList<>();
        dashboard.at("/templating/list").forEach(variable -> variables.add(variable.path("name").asText()));
        assertThat(variables).contains("namespace", "component_id");
        // Every metric selector of every panel: a new panel without the filters would show all instances.
        for (String query : dashboardQueries()) {
            java.util.regex.Matcher selector = java.util.regex.Pattern.compile("\\{([^}]*)}").matcher(query);
            int selectors = 0;
            while (selector.find()) {
                selectors++;
                assertThat(selector.group(1)).as(query).contains("namespace=~\"$namespace\"", "component_id=~\"$component_id\"");
            }
            // A fixed range is empty when Prometheus scrapes less often than it, and coarse when more often.
            assertThat(query).as(query).doesNotContainPattern("\\[\\d+[smh]\\]");
            assertThat(selectors).as(query).isPositive();
        }
    }

    private static List<String> dashboardQueries() {
        List<String> queries = new ArrayList<>();
        Repository.yaml(CHART.resolve("files/dashboard.json")).findValues("expr").forEach(e -> queries.add(e.asText()));
        return queries;
    }

    private static List<String> alertQueries() {
        List<String> queries = new ArrayList<>();
        Repository.yaml(CHART.resolve("files/alerts.yml")).findValues("expr").forEach(e -> queries.add(e.asText()));
        return queries;
    }

    /** Metric names in PromQL queries: what remains once label matchers and groupings are taken out. */
    private static Set<String> metricsIn(List<String> queries) {
        Set<String> names = new TreeSet<>();
        for (String query : queries) {
            String withoutLabels = LABELS.matcher(query).replaceAll(" ");
            Matcher matcher = METRIC.matcher(withoutLabels);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }

    private static Set<String> exportedNames(int port) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> names = new TreeSet<>();
        text.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }

    /** GitHub-style anchors of the Markdown headings: lower case, spaces to dashes, punctuation dropped. */
    private static Set<String> headingAnchors(String markdown) {
        Set<String> anchors = new TreeSet<>();
        markdown.lines().filter(line -> line.startsWith("#")).forEach(line -> anchors.add(line.replaceFirst("^#+\\s*", "")
                .toLowerCase().replaceAll("[^a-z0-9 -]", "").trim().replace(' ', '-')));
        return anchors;
    }

    /** A connection that breaks the protocol: the collector counts it as an error by reason. */
    private static void sendGarbage(InetSocketAddress address) throws Exception {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write("this is not Frame Streams".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            socket.getInputStream().read(); // until the collector closes it
        }
    }
}
