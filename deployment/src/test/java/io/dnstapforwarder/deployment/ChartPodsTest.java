package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.CHART;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.SecureKafka;
import io.dnstapforwarder.testkit.TestCertificates;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart's pods, run as their specs say ({@link PodSandbox}: the image's ENV and
 * entrypoint from the Dockerfile stage the chart's image is built from, the ConfigMap and Secrets,
 * uid 10001, a read-only root file system, only the declared volumes writable) against a real
 * broker and the HEC emulator: each must pass its own startup and readiness probes and deliver
 * a capture end to end. Two value sets: the defaults (with the required values), and a DaemonSet
 * with a host socket directory, TLS, a Kafka that requires SASL_SSL (its client properties and CA
 * from a Secret), an existing token Secret and indexer acknowledgement.
 *
 * <p>The containers listen where the chart says, on the host's network: 6000, 8080 and 8081.
 */
@Timeout(300)
class ChartPodsTest {

    private static final String TOKEN = "chart-pods-token";
    private static List<byte[]> capture;

    @TempDir
    Path dir;

    private final List<RunningPod> running = new ArrayList<>();

    @BeforeAll
    static void readCapture() throws Exception {
        capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
    }

    @AfterEach
    void stopPods() {
        running.forEach(RunningPod::close);
    }

    @Test
    void defaultChartStartsOnAReadOnlyRootAndDeliversOverTcpAndTheSocketInItsEmptyDir() throws Exception {
        try (HecEmulator hec = HecEmulator.start(TOKEN)) {
            Map<String, Object> values = requiredValues(hec);
            values.put("hec.token", TOKEN);
            List<JsonNode> manifests = template(values);
            PodSandbox.Objects objects = new PodSandbox.Objects(manifests, Map.of());

            RunningPod collector = start(manifests, objects, "Deployment", "collector");
            RunningPod shipper = start(manifests, objects, "Deployment", "shipper");
            collector.awaitProbes();
            shipper.awaitProbes();

            FrameStreamTestClient.send(capture, new InetSocketAddress("127.0.0.1", servicePort(manifests, collector)), true);
            // The image's socket, in the pod's emptyDir: where a DNS server in the same pod connects.
            Path socket = collector.volume("socket").resolve("dnstap.sock");
            FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(socket), true);

            assertThat(hec.awaitEvents(2 * capture.size(), RunningPod.STARTUP)).hasSize(2 * capture.size());
            assertThat(helmTest("127.0.0.1:8080 127.0.0.1:8081")).as("helm test against both pods").isZero();
            assertThat(helmTest("127.0.0.1:8080 127.0.0.1:" + FreePorts.one())).as("a port nothing answers on")
                    .isNotZero();
        }
    }

    /** The chart's helm test script (templates/tests), run here against these addresses; its exit code. */
    private int helmTest(String targets) throws Exception {
        String template = Repository.read(CHART.resolve("templates/tests/test-ready.yaml"));
        String script = template.substring(template.indexOf("        - |\n") + "        - |\n".length())
                .lines().map(line -> line.length() >= 10 ? line.substring(10) : line.strip())
                .collect(java.util.stream.Collectors.joining("\n"));
        Processes.Started test = Processes.start(List.of("bash", "-c", script), dir, dir.resolve("helm-test.log"),
                Map.of("READY_TARGETS", targets));
        assertThat(test.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return test.process().exitValue();
    }

    @Test
    void daemonSetWithHostSocketTlsSaslKafkaExistingSecretsAndAcksDelivers() throws Exception {
        TestCertificates certificates = TestCertificates.create(Files.createDirectories(dir.resolve("certs")));
        try (HecEmulator hec = HecEmulator.builder().token(TOKEN).ackEnabled(true).start();
                SecureKafka kafka = SecureKafka.start(dir.resolve("secure-kafka"))) {
            kafka.createTopic("dnstap.events", 3);
            kafka.createTopic("dnstap.dlq", 1);
            kafka.grantForwarder(SecureKafka.USER, "dnstap.events", "dnstap.dlq");
            Map<String, Object> values = new LinkedHashMap<>(Map.of("hec.url", hec.url().toString(),
                    "kafka.bootstrap", kafka.bootstrapServers(), "kafka.clientSecret.name", "dnstap-kafka"));
            values.putAll(Map.of("hec.existingSecret", "splunk-hec", "hec.ack", "true", "collector.kind", "DaemonSet",
                    "collector.hostSocketDir", "/var/run/dnstap", "collector.tls.secretName", "collector-tls",
                    "collector.allowFrom[0]", "127.0.0.0/8"));
            List<JsonNode> manifests = new ArrayList<>(template(values));
            manifests.add(secret("splunk-hec", Map.of("hec-token", TOKEN)));
            // The Kafka client properties file and the CA it names, as docs/KAFKA.md says.
            Map<String, String> client = new LinkedHashMap<>(kafka.scramClient(SecureKafka.USER, SecureKafka.PASSWORD));
            client.put("ssl.truststore.location", "/etc/dnstap-forwarder/kafka/ca.pem");
            Path properties = SecureKafka.writeProperties(dir.resolve("client.properties"), client);
            manifests.add(secret("dnstap-kafka", Map.of("client.properties", Files.readString(properties),
                    "ca.pem", Files.readString(kafka.ca()))));
            manifests.add(secret("collector-tls", Map.of("tls.crt", Files.readString(certificates.serverCertificate()),
                    "tls.key", Files.readString(certificates.serverKey()))));
            // The node's directory, made as docs/DEPLOYING.md says (owned by the collector's uid).
            Path node = Files.createDirectories(dir.resolve("node-var-run-dnstap"));
            PodSandbox.Objects objects = new PodSandbox.Objects(manifests, Map.of("/var/run/dnstap", node));

            RunningPod collector = start(manifests, objects, "DaemonSet", "collector");
            RunningPod shipper = start(manifests, objects, "Deployment", "shipper");
            collector.awaitProbes();
            shipper.awaitProbes();

            FrameStreamTestClient.sendTls(capture, new InetSocketAddress("127.0.0.1", servicePort(manifests, collector)),
                    certificates.ca(), null, null);
            // A DNS server on the node connects to the socket in the host directory.
            FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(node.resolve("dnstap.sock")), true);

            assertThat(hec.awaitEvents(2 * capture.size(), RunningPod.STARTUP)).hasSize(2 * capture.size());
        }
    }

    private RunningPod start(List<JsonNode> manifests, PodSandbox.Objects objects, String kind, String component)
            throws Exception {
        JsonNode workload = manifests.stream().filter(m -> kind.equals(m.path("kind").asText())
                && m.at("/metadata/name").asText().endsWith("-" + component)).findFirst().orElseThrow();
        Path workDir = dir.resolve(component);
        RunningPod pod = RunningPod.start(imageStage(workload), workload, component + "-0", objects, workDir);
        running.add(pod);
        return pod;
    }

    /** The Dockerfile stage a container's image is built from: the chart's image names say which. */
    private static String imageStage(JsonNode workload) {
        String image = workload.at("/spec/template/spec/containers/0/image").asText();
        String repository = image.substring(image.lastIndexOf('/') + 1).split(":")[0];
        return repository.substring("dnstap-forwarder-".length());
    }

    /** The collector Service's dnstap port, as its targetPort reaches the container on this host. */
    private static int servicePort(List<JsonNode> manifests, RunningPod collector) {
        JsonNode service = manifests.stream().filter(m -> "Service".equals(m.path("kind").asText())
                && m.at("/metadata/name").asText().endsWith("-collector")).findFirst().orElseThrow();
        for (JsonNode port : service.at("/spec/ports")) {
            if (port.path("name").asText().equals("dnstap")) {
                return collector.containerPort(port.path("targetPort").asText());
            }
        }
        throw new IllegalStateException("the collector Service has no dnstap port");
    }

    private static Map<String, Object> requiredValues(HecEmulator hec) {
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("chart-pods"), 3);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("hec.url", hec.url().toString());
        values.put("kafka.bootstrap", TestKafka.bootstrapServers());
        values.put("kafka.topic", topic);
        values.put("kafka.deadLetterTopic", TestKafka.createTopic(topic + ".dlq", 1));
        values.put("shipper.group", topic + "-shippers");
        return values;
    }

    private static List<JsonNode> template(Map<String, Object> values) {
        return Repository.renderChart(values);
    }

    private static JsonNode secret(String name, Map<String, String> data) {
        Map<String, Object> encoded = new LinkedHashMap<>();
        data.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return Repository.JSON.valueToTree(Map.of("apiVersion", "v1", "kind", "Secret", "metadata", Map.of("name", name),
                "data", encoded));
    }
}
