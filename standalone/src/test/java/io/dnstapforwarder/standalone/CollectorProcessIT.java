package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The collector as its own process, stopped with SIGTERM under load: what it read is all in Kafka, and it exits 0. */
@Timeout(300)
class CollectorProcessIT {

    private static final Path LAUNCHER = Path.of("..", "bin", "dnstap-forwarder").toAbsolutePath().normalize();
    private static final Pattern CLOSED = Pattern.compile("Connection 1 from .* closed by the collector after (\\d+) frames");

    @TempDir
    Path dir;

    @Test
    void publishesEverythingItReadWhenStoppedWithSigtermUnderLoad() throws Exception {
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("sigterm"), 3);
        Path socket = dir.resolve("dnstap.sock");
        int opsPort = FreePorts.one();
        try (Processes.Started collector = Processes.start(List.of(LAUNCHER.toString(), "collector"), dir,
                dir.resolve("collector.log"), Map.of("DNSTAP_SKIP_BUILD", "1", "DNSTAP_SOCKET_PATH", socket.toString(),
                        "DNSTAP_TCP_LISTEN", "off", "DNSTAP_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers(),
                        "DNSTAP_KAFKA_TOPIC", topic, "DNSTAP_MONITORING_PORT", Integer.toString(opsPort),
                        "DNSTAP_COLLECTOR_ID", "sigterm"))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> ready(opsPort));
            AtomicBoolean sending = new AtomicBoolean(true);
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> send(socket, sending));
            await().atMost(Duration.ofSeconds(60)).until(() -> TestKafka.read(topic, 20_000, Duration.ofSeconds(1)).size()
                    >= 20_000);

            new ProcessBuilder("kill", "-TERM", Long.toString(collector.pid())).start().waitFor();

            assertThat(collector.process().waitFor(60, TimeUnit.SECONDS)).as(collector.output()).isTrue();
            assertThat(collector.process().exitValue()).as(collector.output()).isZero();
            sending.set(false);
            sender.exceptionally(e -> null).get(30, TimeUnit.SECONDS);
            Matcher closed = CLOSED.matcher(collector.output());
            assertThat(closed.find()).as(collector.output()).isTrue();
            int read = Integer.parseInt(closed.group(1));
            Set<String> published = new HashSet<>();
            TestKafka.read(topic, read, Duration.ofSeconds(60)).forEach(record -> published.add(frameOf(record.value())));
            for (int i = 0; i < read; i++) {
                assertThat(published).as("frame %d was read before SIGTERM", i).contains(frame(i));
            }
            assertThat(collector.output()).contains("Received SIGTERM", "collector stopped")
                    .doesNotContain("were not acknowledged by Kafka");
        }
    }

    private static void send(Path socket, AtomicBoolean sending) {
        try (SocketChannel channel = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket));
                FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, true)) {
            for (int i = 0; sending.get(); i++) {
                writer.write(frame(i).getBytes(StandardCharsets.US_ASCII));
                if (i % 100 == 99) {
                    writer.flush();
                    TimeUnit.MILLISECONDS.sleep(1);
                }
            }
        } catch (IOException | InterruptedException e) {
            // The collector went away under the sender: expected here.
        }
    }

    private static String frame(int index) {
        return String.format("frame-%09d", index);
    }

    private static String frameOf(byte[] value) {
        try {
            return DnstapEvent.parseFrom(value).getFrame().toString(StandardCharsets.US_ASCII);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean ready(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
