package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector out of file descriptors (a real EMFILE: the process runs under {@code ulimit -n}
 * and connections are opened until accepting fails): it backs off instead of spinning on
 * accept() and logging each failure, counts the failures, and accepts again by itself once
 * descriptors are free.
 */
@Timeout(300)
class AcceptFailureIT {

    private static final Path LAUNCHER = Path.of("..", "bin", "dnstap-forwarder").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void backsOffWhileAcceptingFailsAndRecoversByItself() throws Exception {
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("emfile"), 1);
        int port = FreePorts.one();
        int opsPort = FreePorts.one();
        String command = "ulimit -n 320 && exec " + LAUNCHER + " collector";
        try (Processes.Started collector = Processes.start(List.of("bash", "-c", command), dir,
                dir.resolve("collector.log"), Map.of("DNSTAP_SKIP_BUILD", "1", "DNSTAP_TCP_LISTEN", "127.0.0.1:" + port,
                        "DNSTAP_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers(), "DNSTAP_KAFKA_TOPIC", topic,
                        "DNSTAP_MONITORING_PORT", Integer.toString(opsPort), "DNSTAP_MONITORING_ADDRESS", "127.0.0.1",
                        "DNSTAP_MAX_CONNECTIONS", "2000", "DNSTAP_COLLECTOR_ID", "emfile",
                        // Every client here is 127.0.0.1, standing in for many DNS servers: no per-sender cap.
                        "DNSTAP_MAX_CONNECTIONS_PER_SENDER", "0"))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> status(opsPort, "/ready") == 200);

            List<Socket> clients = new ArrayList<>();
            try {
                // More connections than the process has descriptors: accept() fails with "Too many open files".
                for (int i = 0; i < 600 && !collector.output().contains("Too many open files"); i++) {
                    Socket client = new Socket();
                    try {
                        client.connect(new InetSocketAddress("127.0.0.1", port), 500);
                        clients.add(client);
                    } catch (IOException backlogFull) {
                        client.close();
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> collector.output().contains("Too many open files"));
                TimeUnit.SECONDS.sleep(3); // accept() keeps failing meanwhile
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> status(opsPort, "/ready") == 200);
            double failures = acceptFailures(opsPort);
            assertThat(failures).as("accept() tried again after growing pauses, not in a loop").isBetween(1.0, 200.0);
            long lines = collector.output().lines().filter(line -> line.contains("Accepting on")).count();
            assertThat(lines).as("one log line per 10 s, not one per failure").isBetween(1L, 10L);
            assertThat(status(opsPort, "/health")).isEqualTo(200);
        }
    }

    private static double acceptFailures(int opsPort) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body().lines()
                .filter(line -> line.startsWith("dnstap_component_errors_total{") && line.contains("error_type=\"accept_failed\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static int status(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
