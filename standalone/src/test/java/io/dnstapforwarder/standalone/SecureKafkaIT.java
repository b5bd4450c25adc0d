package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.ReferenceDecode;
import io.dnstapforwarder.testkit.SecureKafka;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command against a broker that requires TLS, SCRAM-SHA-512 and ACLs, configured as
 * operators do: a Kafka client properties file and secrets in files, and the user granted only
 * the ACLs docs/KAFKA.md lists. Collector, shipper, tap, replay and dlq redrive all work; with a
 * wrong password each says so and is not ready.
 */
@Timeout(400)
class SecureKafkaIT {

    private static final Path LAUNCHER = Path.of("..", "bin", "dnstap-forwarder").toAbsolutePath().normalize();
    private static final String TOKEN = "8f6a3c2e-0000-4000-8000-000000000014";
    /** Events HEC refuses by name until the operator "fixes" it: they go to the dead-letter topic. */
    private static final String POISON_QUERY = "sp\\032ace.test.example";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void everyCommandWorksOverSaslSslAndAWrongPasswordIsNamedAndNotReady() throws Exception {
        List<byte[]> capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        long poisoned = ReferenceDecode.unboundSmall().stream()
                .filter(message -> (POISON_QUERY + ".").equals(message.dns().questionName())).count();
        assertThat(poisoned).isPositive();
        try (SecureKafka kafka = SecureKafka.start(dir); HecEmulator hec = HecEmulator.start(TOKEN)) {
            kafka.createTopic("dnstap.events", 2);
            kafka.createTopic("dnstap.dlq", 1);
            kafka.grantForwarder(SecureKafka.USER, "dnstap.events", "dnstap.dlq");
            Path client = SecureKafka.writeProperties(dir.resolve("client.properties"),
                    kafka.scramClient(SecureKafka.USER, SecureKafka.PASSWORD));
            Path token = Files.writeString(dir.resolve("hec-token"), TOKEN + "\n");
            Map<String, String> env = new HashMap<>(Map.of("DNSTAP_SKIP_BUILD", "1",
                    "DNSTAP_KAFKA_BOOTSTRAP", kafka.bootstrapServers(), "DNSTAP_KAFKA_PROPERTIES_FILE", client.toString(),
                    "DNSTAP_KAFKA_TOPIC", "dnstap.events", "DNSTAP_DLQ_TOPIC", "dnstap.dlq",
                    "DNSTAP_HEC_URL", hec.url().toString(), "DNSTAP_HEC_TOKEN_FILE", token.toString(),
                    "DNSTAP_KAFKA_GROUP", "dnstap-shipper"));
            hec.rejectEvents(event -> POISON_QUERY.equals(event.at("/event/query").asText()), true);
            Instant before = Instant.now().minusSeconds(1);
            Path socket = dir.resolve("dnstap.sock");

            try (Service collector = service("collector", env, Map.of("DNSTAP_SOCKET_PATH", socket.toString(),
                    "DNSTAP_TCP_LISTEN", "off"));
                    Service shipper = service("shipper", env, Map.of())) {
                await().atMost(WAIT).until(() -> status(collector, "/ready") == 200 && Files.exists(socket));
                FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(socket), true);

                await().atMost(WAIT).until(() -> hec.eventCount() == capture.size() - poisoned);
                await().atMost(WAIT).until(() -> TestKafka.read(kafka.setupBootstrapServers(), "dnstap.dlq",
                        (int) poisoned, Duration.ofSeconds(2)).size() == poisoned);
                assertThat(status(shipper, "/ready")).isEqualTo(200);
                assertThat(collector.output() + shipper.output()).as("no credential in any log")
                        .doesNotContain(SecureKafka.PASSWORD, "s3cret");
            }

            Tool tap = tool(env, "tap", "--from-beginning", "--count", Integer.toString(capture.size()));
            assertThat(tap.exit()).as(tap.errors()).isZero();
            assertThat(tap.lines()).hasSize(capture.size());

            Tool replay = tool(env, "replay", "--from", before.toString(), "--to", Instant.now().toString());
            assertThat(replay.exit()).as(replay.errors()).isZero();
            assertThat(hec.eventCount()).isEqualTo(2 * (capture.size() - poisoned));

            hec.rejectEvents(event -> false, false); // the cause is fixed: the dead letters go through
            Tool redrive = tool(env, "dlq", "redrive");
            assertThat(redrive.exit()).as(redrive.errors()).isZero();
            assertThat(hec.events().stream().filter(event -> POISON_QUERY.equals(event.at("/event/query").asText())))
                    .as("the first run's and the replay's dead letters").hasSize((int) (2 * poisoned));

            // The same, with a wrong password given the way Secrets are: in a file.
            Path wrongSecret = Files.writeString(dir.resolve("jaas"), "sasl.jaas.config="
                    + "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"dnstap\" "
                    + "password=\"not-the-password\";\n");
            Map<String, String> wrong = new HashMap<>(env);
            wrong.put("DNSTAP_KAFKA_PROPERTY_FILE", wrongSecret.toString());
            String refused = "Kafka at " + kafka.bootstrapServers() + " refused this client's credentials";
            try (Service collector = service("collector", wrong, Map.of("DNSTAP_SOCKET_PATH",
                    dir.resolve("wrong.sock").toString(), "DNSTAP_TCP_LISTEN", "off"));
                    Service shipper = service("shipper", wrong, Map.of())) {
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(body(collector, "/ready")).contains(refused);
                    assertThat(body(shipper, "/ready")).contains("refused: " + refused);
                    assertThat(collector.output()).contains("Cannot publish: " + refused);
                    assertThat(shipper.output()).contains("Cannot consume: " + refused);
                });
                assertThat(status(collector, "/ready")).isEqualTo(503);
                assertThat(status(shipper, "/ready")).isEqualTo(503);
                assertThat(status(shipper, "/health")).as("alive: only the configuration can mend it").isEqualTo(200);
            }
            Tool wrongTap = tool(wrong, "tap", "--from-beginning", "--count", "1");
            assertThat(wrongTap.exit()).isEqualTo(1);
            assertThat(wrongTap.errors()).contains("Cannot run: " + refused);
            Tool wrongReplay = tool(wrong, "replay", "--from", before.toString(), "--to", Instant.now().toString());
            assertThat(wrongReplay.exit()).isEqualTo(1);
            assertThat(wrongReplay.errors()).contains("Cannot run: " + refused);
        }
    }

    private Service service(String command, Map<String, String> env, Map<String, String> more) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(more);
        int port = FreePorts.one();
        all.put("DNSTAP_MONITORING_PORT", Integer.toString(port));
        return new Service(Processes.start(List.of(LAUNCHER.toString(), command), dir,
                Files.createTempFile(dir, command, ".log"), all), port);
    }

    /** A tool's exit code, standard output and standard error. */
    private record Tool(int exit, List<String> lines, String errors) {
    }

    private Tool tool(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, args[0], ".out");
        Path err = Files.createTempFile(dir, args[0], ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not end: " + Files.readString(err));
        }
        return new Tool(process.exitValue(), Files.readAllLines(out), Files.readString(err));
    }

    /** A service process and its ops port. */
    private record Service(Processes.Started process, int port) implements AutoCloseable {

        String output() {
            return process.output();
        }

        HttpResponse<String> get(String path) throws Exception {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() {
            process.close();
        }
    }

    private static int status(Service service, String path) {
        try {
            return service.get(path).statusCode();
        } catch (Exception notUpYet) {
            return -1;
        }
    }

    private static String body(Service service, String path) {
        try {
            return service.get(path).body();
        } catch (Exception notUpYet) {
            return "";
        }
    }
}
