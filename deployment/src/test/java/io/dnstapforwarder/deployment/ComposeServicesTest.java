package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.COMPOSE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.DnsPeers;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose stack's collector and shipper, run as Docker would run them (their
 * {@code docker-compose config}, the image's Dockerfile stage, uid 10001, their volumes and
 * secret; {@link ComposeService}, {@link PodSandbox}), against a real broker and the HEC
 * emulator with the stack's own token: both become healthy and ready, and a capture sent to the
 * published TCP port and to the socket in the shared volume reaches HEC. Kafka's and Splunk's
 * addresses are the test's, not the stack's {@code kafka:9092} and {@code splunk:8088}.
 */
@Timeout(300)
class ComposeServicesTest {

    @TempDir
    Path dir;

    private final List<RunningPod> running = new ArrayList<>();

    @BeforeAll
    static void firstRun() {
        Repository.initCompose(COMPOSE);
    }

    @AfterEach
    void stopServices() {
        running.forEach(RunningPod::close);
    }

    @Test
    void collectorAndShipperRunAsComposeStartsThemAndDeliver() throws Exception {
        JsonNode config = composeConfig();
        String token = Repository.read(COMPOSE.resolve("secrets/hec_token")).strip();
        List<byte[]> capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL),
                DnstapEvents.DNSTAP_CONTENT_TYPE);
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("compose"), 3);
        try (HecEmulator hec = HecEmulator.start(token)) {
            Map<String, String> kafka = Map.of("DNSTAP_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers(),
                    "DNSTAP_KAFKA_TOPIC", topic);
            RunningPod collector = start(ComposeService.of(config, "collector", kafka));
            RunningPod shipper = start(ComposeService.of(config, "shipper", Map.of("DNSTAP_KAFKA_BOOTSTRAP",
                    TestKafka.bootstrapServers(), "DNSTAP_KAFKA_TOPIC", topic, "DNSTAP_KAFKA_GROUP", topic + "-shippers",
                    "DNSTAP_DLQ_TOPIC", TestKafka.createTopic(topic + ".dlq", 1), "DNSTAP_HEC_URL", hec.url().toString())));
            for (RunningPod service : List.of(collector, shipper)) {
                String port = ops(service);
                service.awaitOk("healthy", URI.create("http://127.0.0.1:" + port + "/health"));
                service.awaitOk("ready", URI.create("http://127.0.0.1:" + port + "/ready"));
            }

            FrameStreamTestClient.send(capture, new InetSocketAddress("127.0.0.1", publishedPort(config)), true);
            // The demo Unbound shares this volume with the collector and sends to the socket in it.
            FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(collector.volume("dnstap-socket")
                    .resolve("dnstap.sock")), true);

            assertThat(hec.awaitEvents(2 * capture.size(), RunningPod.STARTUP)).hasSize(2 * capture.size());
        }
    }

    private RunningPod start(ComposeService service) throws Exception {
        Path workDir = dir.resolve(service.name());
        RunningPod pod = RunningPod.start(service.stage(), service.workload(), service.name(), service.objects(), workDir);
        running.add(pod);
        return pod;
    }

    /** The ops port of a service: what its environment sets (the images' ENV otherwise). */
    private static String ops(RunningPod service) {
        return service.sandbox().environment().get("DNSTAP_MONITORING_PORT");
    }

    /** The collector's Frame Streams port as compose publishes it on the host. */
    private static int publishedPort(JsonNode config) {
        for (JsonNode port : config.at("/services/collector/ports")) {
            String[] parts = port.asText().split("/")[0].split(":");
            if (parts[parts.length - 1].equals("6000")) {
                return Integer.parseInt(parts[parts.length - 2]);
            }
        }
        throw new IllegalStateException("the collector publishes no port for 6000");
    }

    /** The stack as Docker Compose resolves it, default profile. */
    private JsonNode composeConfig() throws Exception {
        Path compose = DnsPeers.require("docker-compose", "docker-compose");
        Processes.Started config = Processes.start(List.of(compose.toString(), "-f",
                COMPOSE.resolve("docker-compose.yml").toString(), "config"), COMPOSE, dir.resolve("compose-config.yml"),
                Map.of());
        assertThat(config.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(config.process().exitValue()).as(config.output()).isZero();
        return Repository.YAML.readTree(config.output());
    }
}
