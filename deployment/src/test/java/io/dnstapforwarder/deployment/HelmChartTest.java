package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.CHART;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart, linted and rendered by Helm itself (helm-java), and the manifests checked
 * against the services: probes on the ops endpoints they serve, every DNSTAP_* variable one the
 * command reads, the token only ever in a Secret, resources and a non-root read-only container.
 */
class HelmChartTest {

    private static final String URL = "https://splunk-hec.example.net:8088";
    private static final String TOKEN = "5d0c4a1e-0000-4000-8000-00000000feed";

    @TempDir
    Path dir;

    @Test
    void lintsCleanWithTheOneOverrideUsersGive() throws IOException {
        // helm lint renders with values.yaml alone; hec.url and the token are required and have no
        // default, so lint a copy whose values.yaml carries them, as `helm install --set` would.
        Path chart = copyChart();
        Files.writeString(chart.resolve("values.yaml"), Files.readString(chart.resolve("values.yaml"))
                .replace("  url: \"\"\n", "  url: \"" + URL + "\"\n").replace("  token: \"\"\n", "  token: \"" + TOKEN + "\"\n")
                .replace("    repository: \"\"     # e.g. ", "    repository: "));

        LintResult lint = new Helm(chart).lint().strict().call();

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void refusesMisspeltOrMistypedValuesNamingThem() {
        // values.schema.json: helm install, upgrade, template and lint all check it.
        assertThatThrownBy(() -> template(Map.of("hec.url", URL, "hec.token", TOKEN, "colector.replicas", 3)))
                .hasMessageContaining("colector");
        assertThatThrownBy(() -> template(Map.of("hec.url", URL, "hec.token", TOKEN, "collector.kind", "StatefulSet")))
                .hasMessageContaining("/collector/kind");
        assertThatThrownBy(() -> template(Map.of("hec.url", URL, "hec.token", TOKEN, "hec.batchSize", "lots")))
                .hasMessageContaining("/hec/batchSize");
    }

    @Test
    void refusesToRenderWithoutImagesSayingHowToBuildAndPushThem() {
        // No image of this project exists in a public registry: a made-up default would only end in ImagePullBackOff.
        assertThatThrownBy(() -> template(Map.of("hec.url", URL, "hec.token", TOKEN, "image.collector.repository", "")))
                .hasMessageContaining("image.collector.repository is required")
                .hasMessageContaining("docker build --target collector").hasMessageContaining("docker push");
        assertThatThrownBy(() -> template(Map.of("hec.url", URL, "hec.token", TOKEN, "image.shipper.repository", "")))
                .hasMessageContaining("image.shipper.repository is required");
        JsonNode collector = named(template(Map.of("hec.url", URL, "hec.token", TOKEN, "image.collector.tag", "0.1.1")),
                "Deployment", "dnstap-dnstap-forwarder-collector");
        assertThat(collector.at("/spec/template/spec/containers/0/image").asText())
                .isEqualTo("registry.example.net/dns/dnstap-forwarder-collector:0.1.1");
    }

    @Test
    void refusesToRenderWithoutTheHecUrl() {
        assertThatThrownBy(() -> template(Map.of("hec.token", TOKEN))).hasMessageContaining("hec.url is required");
        assertThatThrownBy(() -> template(Map.of("hec.url", URL))).hasMessageContaining("hec.token or hec.existingSecret");
    }

    @Test
    void rendersBothServicesWithProbesResourcesAndTheirOwnOptions() {
        List<JsonNode> manifests = template(Map.of("hec.url", URL, "hec.token", TOKEN));

        assertThat(kinds(manifests)).contains("ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler",
                "PodDisruptionBudget");
        for (String service : List.of("collector", "shipper")) {
            JsonNode workload = named(manifests, "Deployment", "dnstap-dnstap-forwarder-" + service);
            JsonNode container = workload.at("/spec/template/spec/containers/0");
            assertThat(container.at("/args/0").asText()).isEqualTo(service);
            Map<String, String> settings = configMap(manifests, "dnstap-dnstap-forwarder-" + service);
            int opsPort = Integer.parseInt(settings.get("DNSTAP_MONITORING_PORT"));
            assertThat(portNamed(container, "ops")).isEqualTo(opsPort);
            assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health");
            assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/ready");
            assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health");
            assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("ops");
            assertThat(container.at("/resources/requests/cpu").isMissingNode()).isFalse();
            assertThat(container.at("/resources/requests/memory").isMissingNode()).isFalse();
            assertThat(container.at("/resources/limits/memory").isMissingNode()).isFalse();
            assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
            assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
            assertThat(workload.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
            assertThat(mountPaths(container)).as("the JVM needs a writable /tmp").contains("/tmp");
            assertThat(settings.keySet()).as(service + " reads every variable it is given")
                    .isSubsetOf(Repository.variablesOf(service));
            assertThat(container.at("/env").toString()).contains("DNSTAP_" + service.toUpperCase() + "_ID");
        }
        assertThat(configMap(manifests, "dnstap-dnstap-forwarder-shipper")).containsEntry("DNSTAP_HEC_URL", URL);
    }

    @Test
    void keepsTheTokenInASecretMountedAsTheFileTheShipperRereads() {
        List<JsonNode> manifests = template(Map.of("hec.url", URL, "hec.token", TOKEN));

        JsonNode secret = named(manifests, "Secret", "dnstap-dnstap-forwarder-hec");
        assertThat(secret.at("/stringData/hec-token").asText()).isEqualTo(TOKEN);
        assertThat(manifests.stream().filter(m -> !m.path("kind").asText().equals("Secret")).map(JsonNode::toString))
                .as("the token appears in the Secret only").noneMatch(text -> text.contains(TOKEN));
        JsonNode shipper = named(manifests, "Deployment", "dnstap-dnstap-forwarder-shipper").at("/spec/template/spec");
        JsonNode volume = volumeNamed(shipper, "hec-token");
        assertThat(volume.at("/secret/secretName").asText()).isEqualTo("dnstap-dnstap-forwarder-hec");
        assertThat(volume.at("/secret/items/0/key").asText()).isEqualTo("hec-token");
        String mountPath = mountPath(shipper.at("/containers/0"), "hec-token");
        assertThat(configMap(manifests, "dnstap-dnstap-forwarder-shipper"))
                .containsEntry("DNSTAP_HEC_TOKEN_FILE", mountPath + "/" + volume.at("/secret/items/0/path").asText());
    }

    @Test
    void rendersTheOtherShapesOperatorsAskFor() {
        Map<String, Object> values = new HashMap<>();
        values.put("hec.url", URL);
        values.put("hec.existingSecret", "splunk-hec");
        values.put("hec.existingSecretKey", "token");
        values.put("hec.caSecret", "splunk-ca");
        values.put("hec.ack", true);
        values.put("collector.kind", "DaemonSet");
        values.put("collector.hostPort", true);
        values.put("collector.hostSocketDir", "/var/run/dnstap");
        values.put("collector.tls.secretName", "dnstap-tls");
        values.put("collector.tls.requireClientCertificate", true);
        values.put("collector.tls.requireIdentityMatch", true);
        values.put("shipper.autoscaling.enabled", false);
        values.put("shipper.replicas", 3);
        values.put("kafka.properties.security\\.protocol", "SSL");
        values.put("kafka.clientSecret.name", "dnstap-kafka");
        values.put("monitoring.assumeOperatorApi", true);
        values.put("monitoring.serviceMonitor.enabled", true);
        values.put("monitoring.prometheusRule.enabled", true);
        values.put("monitoring.grafanaDashboard.enabled", true);

        List<JsonNode> manifests = template(values);

        assertThat(kinds(manifests)).contains("DaemonSet", "ServiceMonitor", "PrometheusRule")
                .doesNotContain("Secret", "HorizontalPodAutoscaler");
        JsonNode collector = named(manifests, "DaemonSet", "dnstap-dnstap-forwarder-collector").at("/spec/template/spec");
        assertThat(collector.at("/containers/0/ports/0/hostPort").asInt()).isEqualTo(6000);
        assertThat(volumeNamed(collector, "socket").at("/hostPath/path").asText()).isEqualTo("/var/run/dnstap");
        assertThat(volumeNamed(collector, "tls").at("/secret/secretName").asText()).isEqualTo("dnstap-tls");
        Map<String, String> collectorSettings = configMap(manifests, "dnstap-dnstap-forwarder-collector");
        assertThat(collectorSettings).containsEntry("DNSTAP_TLS_CLIENT_CA", mountPath(collector.at("/containers/0"), "tls")
                + "/ca.crt").containsEntry("DNSTAP_KAFKA_PROPERTY", "security.protocol=SSL")
                .containsEntry("DNSTAP_TLS_REQUIRE_IDENTITY_MATCH", "true")
                .containsEntry("DNSTAP_KAFKA_PROPERTIES_FILE", mountPath(collector.at("/containers/0"), "kafka-client")
                        + "/client.properties");
        assertThat(volumeNamed(collector, "kafka-client").at("/secret/secretName").asText()).isEqualTo("dnstap-kafka");
        assertThat(collectorSettings.keySet()).isSubsetOf(Repository.variablesOf("collector"));
        JsonNode shipper = named(manifests, "Deployment", "dnstap-dnstap-forwarder-shipper");
        assertThat(shipper.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(volumeNamed(shipper.at("/spec/template/spec"), "hec-token").at("/secret/secretName").asText())
                .isEqualTo("splunk-hec");
        Map<String, String> shipperSettings = configMap(manifests, "dnstap-dnstap-forwarder-shipper");
        assertThat(shipperSettings).containsEntry("DNSTAP_HEC_ACK", "true")
                .containsEntry("DNSTAP_HEC_CA_FILE", "/etc/dnstap-forwarder/hec-ca/ca.crt")
                .containsEntry("DNSTAP_KAFKA_PROPERTIES_FILE", "/etc/dnstap-forwarder/kafka/client.properties");
        assertThat(volumeNamed(shipper.at("/spec/template/spec"), "kafka-client").at("/secret/secretName").asText())
                .isEqualTo("dnstap-kafka");
        assertThat(shipperSettings.keySet()).isSubsetOf(Repository.variablesOf("shipper"));
        JsonNode rule = named(manifests, "PrometheusRule", "dnstap-dnstap-forwarder");
        JsonNode shared = Repository.yaml(CHART.resolve("files/alerts.yml"));
        // The same rules as compose's Prometheus loads, but for the job selectors: this release's.
        JsonNode rules = rule.at("/spec/groups/0/rules");
        assertThat(rules.size()).isEqualTo(shared.at("/groups/0/rules").size());
        for (int i = 0; i < rules.size(); i++) {
            com.fasterxml.jackson.databind.node.ObjectNode asCompose = rules.get(i).deepCopy();
            asCompose.put("expr", asCompose.path("expr").asText()
                    .replace("namespace=\"dns\", job=~\"dnstap-dnstap-forwarder-collector-ops|dnstap-dnstap-forwarder-shipper\"",
                            "job=~\"dnstap-collector|dnstap-shipper\"")
                    .replace("namespace=\"dns\", job=\"dnstap-dnstap-forwarder-collector-ops\"", "job=\"dnstap-collector\"")
                    .replace("namespace=\"dns\", job=\"dnstap-dnstap-forwarder-shipper\"", "job=\"dnstap-shipper\""));
            assertThat(asCompose).as("the rule compose's Prometheus loads").isEqualTo(shared.at("/groups/0/rules/" + i));
        }
        JsonNode dashboard = named(manifests, "ConfigMap", "dnstap-dnstap-forwarder-dashboard");
        assertThat(dashboard.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(dashboard.at("/data/dnstap-forwarder.json").asText().strip())
                .isEqualTo(Repository.read(CHART.resolve("files/dashboard.json")).strip());
    }

    @Test
    void makesTheOperatorsObjectsOnlyWhereItsApiIsOrWhenToldTo() {
        Map<String, Object> values = new HashMap<>(Map.of("hec.url", URL, "hec.token", TOKEN,
                "monitoring.serviceMonitor.enabled", true, "monitoring.prometheusRule.enabled", true));

        assertThat(kinds(template(values))).as("helm template knows no monitoring.coreos.com/v1")
                .doesNotContain("ServiceMonitor", "PrometheusRule");
        values.put("monitoring.assumeOperatorApi", true);
        List<JsonNode> manifests = template(values);
        assertThat(kinds(manifests)).contains("ServiceMonitor", "PrometheusRule");
        named(manifests, "PrometheusRule", "dnstap-dnstap-forwarder").at("/spec/groups/0/rules").forEach(rule ->
                assertThat(rule.at("/annotations/runbook_url").asText()).startsWith("https://"));
    }

    @Test
    void scopesTheAlertsToThisReleaseWithTheOperatorsRunbookLabelsAndChoices() throws Exception {
        Map<String, Object> values = new HashMap<>(Map.of("hec.url", URL, "hec.token", TOKEN,
                "monitoring.prometheusRule.enabled", true, "monitoring.assumeOperatorApi", true));
        values.put("monitoring.prometheusRule.runbookBaseUrl", "https://wiki.example.net/dns/runbook");
        values.put("monitoring.prometheusRule.extraLabels.team", "dns");
        values.put("monitoring.prometheusRule.extraLabels.severity", "page");
        values.put("monitoring.prometheusRule.disabled[0]", "DnstapServerSilent");

        JsonNode spec = named(template(values), "PrometheusRule", "dnstap-dnstap-forwarder").path("spec");

        List<String> names = new ArrayList<>();
        for (JsonNode rule : spec.at("/groups/0/rules")) {
            String name = rule.path("alert").asText();
            names.add(name);
            assertThat(rule.at("/labels/team").asText()).as(name).isEqualTo("dns");
            assertThat(rule.at("/labels/severity").asText()).as(name + ": its own severity wins").isIn("warning", "critical");
            assertThat(rule.at("/annotations/runbook_url").asText()).as(name).matches("https://wiki\\.example\\.net/dns/runbook#[a-z-]+");
            // Only this release's jobs: the compose stack's names would match another release's, or none.
            assertThat(rule.path("expr").asText()).as(name).doesNotContain("\"dnstap-collector", "dnstap-shipper\"");
        }
        JsonNode alerts = Repository.yaml(CHART.resolve("files/alerts.yml")).at("/groups/0/rules");
        assertThat(names).doesNotContain("DnstapServerSilent").hasSize(alerts.size() - 1);
        assertThat(withField(spec.at("/groups/0/rules"), "alert", "DnstapTargetDown").path("expr").asText())
                .contains("up{namespace=\"dns\", job=~\"dnstap-dnstap-forwarder-collector-ops|dnstap-dnstap-forwarder-shipper\"}");
        assertThat(withField(spec.at("/groups/0/rules"), "alert", "DnstapTargetsMissing").path("expr").asText())
                .contains("absent(up{namespace=\"dns\", job=\"dnstap-dnstap-forwarder-collector-ops\"})")
                .contains("absent(up{namespace=\"dns\", job=\"dnstap-dnstap-forwarder-shipper\"})");

        // What the Prometheus Operator hands Prometheus: rules promtool accepts.
        Path promtool = io.dnstapforwarder.testkit.DnsPeers.require("promtool", "prometheus");
        Path rules = dir.resolve("rendered-rules.yml");
        Files.writeString(rules, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(spec));
        Process check = new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(output).isZero();
    }

    @Test
    void routesEachDnsServersEventsWithAFileTheShippersFollow() {
        Map<String, Object> values = new HashMap<>(Map.of("hec.url", URL, "hec.token", TOKEN));
        values.put("hec.source", "resolvers");
        values.put("hec.fields.site", "ams1");
        values.put("hec.fields.tier", "edge");
        values.put("hec.routing", "*.fra.example.net index=dns_fra\n");

        List<JsonNode> manifests = template(values);

        Map<String, String> settings = configMap(manifests, "dnstap-dnstap-forwarder-shipper");
        assertThat(settings).containsEntry("DNSTAP_HEC_SOURCE", "resolvers")
                .containsEntry("DNSTAP_HEC_FIELD", "site=ams1,tier=edge")
                .containsEntry("DNSTAP_HEC_ROUTING_FILE", "/etc/dnstap-forwarder/hec-routing/routing.txt");
        assertThat(settings.keySet()).isSubsetOf(Repository.variablesOf("shipper"));
        assertThat(configMap(manifests, "dnstap-dnstap-forwarder-hec-routing"))
                .containsEntry("routing.txt", "*.fra.example.net index=dns_fra");
        JsonNode pod = named(manifests, "Deployment", "dnstap-dnstap-forwarder-shipper").at("/spec/template/spec");
        // A directory, not a subPath: Kubernetes updates it in place, and the shippers read it again.
        assertThat(mountPath(pod.at("/containers/0"), "hec-routing")).isEqualTo("/etc/dnstap-forwarder/hec-routing");
        assertThat(volumeNamed(pod, "hec-routing").at("/configMap/name").asText()).isEqualTo("dnstap-dnstap-forwarder-hec-routing");
        assertThatThrownBy(() -> template(Map.of("hec.url", URL, "hec.token", TOKEN, "hec.fields.2fast", "x")))
                .hasMessageContaining("2fast");
    }

    @Test
    void takesPodLabelsPriorityRolloutAPreStopPauseAndKeda() {
        Map<String, Object> values = new HashMap<>(Map.of("hec.url", URL, "hec.token", TOKEN));
        values.put("collector.kind", "DaemonSet");
        values.put("collector.podLabels.team", "dns");
        values.put("collector.priorityClassName", "system-node-critical");
        values.put("collector.updateStrategy.type", "RollingUpdate");
        values.put("collector.updateStrategy.rollingUpdate.maxUnavailable", "10%");
        values.put("shipper.podLabels.team", "dns");
        values.put("shipper.autoscaling.enabled", false);
        values.put("shipper.keda.enabled", true);
        values.put("shipper.keda.authenticationRef", "kafka-sasl");

        List<JsonNode> manifests = template(values);

        JsonNode collector = named(manifests, "DaemonSet", "dnstap-dnstap-forwarder-collector");
        assertThat(collector.at("/spec/template/metadata/labels/team").asText()).isEqualTo("dns");
        assertThat(collector.at("/spec/template/spec/priorityClassName").asText()).isEqualTo("system-node-critical");
        assertThat(collector.at("/spec/updateStrategy/rollingUpdate/maxUnavailable").asText()).isEqualTo("10%");
        assertThat(collector.at("/spec/template/spec/containers/0/lifecycle/preStop/exec/command").toString())
                .isEqualTo("[\"sleep\",\"5\"]");
        assertThat(collector.at("/spec/template/spec/terminationGracePeriodSeconds").asInt()).as("the pause, then the flush")
                .isEqualTo(50);
        JsonNode shipper = named(manifests, "Deployment", "dnstap-dnstap-forwarder-shipper");
        assertThat(shipper.at("/spec/template/metadata/labels/team").asText()).isEqualTo("dns");
        assertThat(shipper.at("/spec/replicas").isMissingNode()).as("KEDA owns the replica count").isTrue();
        assertThat(kinds(manifests)).doesNotContain("HorizontalPodAutoscaler");
        JsonNode scaler = named(manifests, "ScaledObject", "dnstap-dnstap-forwarder-shipper").path("spec");
        assertThat(scaler.at("/scaleTargetRef/name").asText()).isEqualTo("dnstap-dnstap-forwarder-shipper");
        JsonNode trigger = scaler.at("/triggers/0");
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        assertThat(trigger.at("/metadata/consumerGroup").asText()).isEqualTo("dnstap-shipper");
        assertThat(trigger.at("/metadata/topic").asText()).isEqualTo("dnstap.events");
        assertThat(trigger.at("/metadata/lagThreshold").asText()).isEqualTo("100000");
        assertThat(trigger.at("/authenticationRef/name").asText()).isEqualTo("kafka-sasl");
        assertThatThrownBy(() -> template(Map.of("hec.url", URL, "hec.token", TOKEN, "shipper.keda.enabled", true)))
                .as("both autoscalers at once").hasMessageContaining("choose one");
        JsonNode deployment = named(template(Map.of("hec.url", URL, "hec.token", TOKEN, "collector.preStopPauseSeconds", 0)),
                "Deployment", "dnstap-dnstap-forwarder-collector");
        assertThat(deployment.at("/spec/template/spec/containers/0/lifecycle").isMissingNode()).isTrue();
    }

    @Test
    void rendersNamesAccountPolicySpreadExtrasAndATestHook() {
        Map<String, Object> values = new HashMap<>(Map.of("hec.url", URL, "hec.token", TOKEN));
        values.put("fullnameOverride", "dt");
        values.put("networkPolicy.enabled", true);
        values.put("networkPolicy.dnstapFrom[0].ipBlock.cidr", "10.0.53.0/24");
        values.put("collector.service.type", "LoadBalancer");
        values.put("collector.allowFrom[0]", "10.0.53.0/24");
        values.put("collector.allowFrom[1]", "2001:db8::/32");
        values.put("collector.extraEnvFrom[0].secretRef.name", "kafka-credentials");
        values.put("collector.extraVolumes[0].name", "truststore");
        values.put("collector.extraVolumes[0].secret.secretName", "kafka-truststore");
        values.put("collector.extraVolumeMounts[0].name", "truststore");
        values.put("collector.extraVolumeMounts[0].mountPath", "/etc/kafka-trust");
        values.put("shipper.topologySpreadConstraints[0].maxSkew", 1);
        values.put("shipper.topologySpreadConstraints[0].topologyKey", "topology.kubernetes.io/zone");
        values.put("shipper.topologySpreadConstraints[0].whenUnsatisfiable", "ScheduleAnyway");

        List<JsonNode> manifests = template(values);

        JsonNode collector = named(manifests, "Deployment", "dt-collector").at("/spec/template/spec");
        JsonNode shipper = named(manifests, "Deployment", "dt-shipper").at("/spec/template/spec");
        JsonNode account = named(manifests, "ServiceAccount", "dt");
        assertThat(account.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        for (JsonNode pod : List.of(collector, shipper)) {
            assertThat(pod.path("serviceAccountName").asText()).isEqualTo("dt");
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
            assertThat(pod.path("enableServiceLinks").asBoolean(true)).isFalse();
        }
        assertThat(collector.at("/containers/0/envFrom/1/secretRef/name").asText()).isEqualTo("kafka-credentials");
        assertThat(volumeNamed(collector, "truststore").at("/secret/secretName").asText()).isEqualTo("kafka-truststore");
        assertThat(mountPath(collector.at("/containers/0"), "truststore")).isEqualTo("/etc/kafka-trust");
        JsonNode spread = shipper.at("/topologySpreadConstraints/0");
        assertThat(spread.path("topologyKey").asText()).isEqualTo("topology.kubernetes.io/zone");
        assertThat(spread.at("/labelSelector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("shipper");
        assertThat(configMap(manifests, "dt-collector")).containsEntry("DNSTAP_ALLOW_FROM", "10.0.53.0/24,2001:db8::/32");
        assertThat(named(manifests, "Service", "dt-collector").at("/spec/externalTrafficPolicy").asText())
                .as("the DNS servers' own addresses").isEqualTo("Local");
        // The LoadBalancer carries dnstap only: /stats (every sender, no authentication) stays inside.
        assertThat(named(manifests, "Service", "dt-collector").at("/spec/ports").findValuesAsText("name"))
                .containsExactly("dnstap");
        JsonNode ops = named(manifests, "Service", "dt-collector-ops").path("spec");
        assertThat(ops.path("type").asText()).isEqualTo("ClusterIP");
        assertThat(ops.path("ports").findValuesAsText("name")).containsExactly("ops");
        JsonNode policy = named(manifests, "NetworkPolicy", "dt-collector").path("spec");
        assertThat(policy.at("/ingress/0/ports/0/port").asText()).isEqualTo("dnstap");
        assertThat(policy.at("/ingress/0/from/0/ipBlock/cidr").asText()).isEqualTo("10.0.53.0/24");
        assertThat(policy.at("/ingress/1/ports/0/port").asText()).isEqualTo("ops");
        assertThat(named(manifests, "NetworkPolicy", "dt-shipper").at("/spec/ingress/0/ports/0/port").asText())
                .isEqualTo("ops");
    }

    @Test
    void hasAHelmTestThatAsksBothServicesIfTheyAreReady() {
        // helm-java renders a release's manifest, which leaves hooks out: the template is read as
        // text here, and ChartPodsTest runs its script against the pods it started.
        String hook = Repository.read(CHART.resolve("templates/tests/test-ready.yaml"));
        assertThat(hook).contains("helm.sh/hook: test", "-collector-ops:8080", "-shipper:8081", "GET /ready");
    }

    @Test
    void keepsClusterIpServicesWithoutATrafficPolicy() {
        JsonNode service = named(template(Map.of("hec.url", URL, "hec.token", TOKEN)), "Service",
                "dnstap-dnstap-forwarder-collector");
        assertThat(service.at("/spec/externalTrafficPolicy").isMissingNode()).isTrue();
    }

    private static List<JsonNode> template(Map<String, Object> values) {
        return Repository.renderChart(values);
    }

    private Path copyChart() throws IOException {
        Path copy = dir.resolve("dnstap-forwarder");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return copy;
    }

    private static List<String> kinds(List<JsonNode> manifests) {
        return manifests.stream().map(manifest -> manifest.path("kind").asText()).toList();
    }

    private static JsonNode named(List<JsonNode> manifests, String kind, String name) {
        return manifests.stream().filter(m -> m.path("kind").asText().equals(kind)
                && m.at("/metadata/name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + kinds(manifests)));
    }

    private static Map<String, String> configMap(List<JsonNode> manifests, String name) {
        Map<String, String> data = new HashMap<>();
        named(manifests, "ConfigMap", name).path("data").fields().forEachRemaining(e -> data.put(e.getKey(),
                e.getValue().asText()));
        return data;
    }

    private static int portNamed(JsonNode container, String name) {
        return withField(container.path("ports"), "name", name).path("containerPort").asInt();
    }

    private static JsonNode volumeNamed(JsonNode podSpec, String name) {
        return withField(podSpec.path("volumes"), "name", name);
    }

    private static List<String> mountPaths(JsonNode container) {
        List<String> paths = new ArrayList<>();
        container.path("volumeMounts").forEach(mount -> paths.add(mount.path("mountPath").asText()));
        return paths;
    }

    private static String mountPath(JsonNode container, String volume) {
        return withField(container.path("volumeMounts"), "name", volume).path("mountPath").asText();
    }

    /** The element of a list of objects whose {@code field} is {@code value}. */
    private static JsonNode withField(JsonNode list, String field, String value) {
        for (JsonNode element : list) {
            if (element.path(field).asText().equals(value)) {
                return element;
            }
        }
        throw new AssertionError("no element with " + field + " " + value + " in " + list);
    }
}
