package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.testkit.DnsPeers;
import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.ReferenceComparison;
import io.dnstapforwarder.testkit.ReferenceDecode;
import io.dnstapforwarder.testkit.TestData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command as a user runs it: {@code bin/dnstap-forwarder standalone} as its own
 * process, fed by the reference {@code fstrm_replay}, stopped with Ctrl-C (SIGINT). Runs after
 * {@code package}, on the built distribution.
 */
@Timeout(300)
class LauncherIT {

    private static final Duration START = Duration.ofSeconds(120);
    private static final Path LAUNCHER = Path.of("..", "bin", "dnstap-forwarder").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Processes.Started> started = new ArrayList<>();
    private int kafkaPort;
    private int tcpPort;
    private int opsPort;

    @AfterEach
    void stop() {
        started.forEach(Processes.Started::close);
    }

    @Test
    void standaloneWritesEveryReplayedMessageToEventsJsonlAndStopsCleanlyOnCtrlC() throws Exception {
        Path fstrmReplay = DnsPeers.require("fstrm_replay", "fstrm-bin");
        Processes.Started standalone = startStandalone(Map.of());

        replay(fstrmReplay);

        Path events = dir.resolve("data").resolve("events.jsonl");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(events) && Files.readAllLines(events).size() >= 652);
        Thread.sleep(1000); // a duplicate would have arrived by now
        assertThat(Files.readAllLines(events)).hasSize(652);
        assertStopsCleanlyOnCtrlC(standalone);

        // Started again on the same data: Kafka's log and the committed offsets are kept, nothing is sent twice.
        Processes.Started again = startStandalone(Map.of());
        assertThat(get(opsPort + 1, "/stats").body()).contains("\"shipper_id\"");
        Thread.sleep(3000);
        assertThat(Files.readAllLines(events)).hasSize(652);
        assertStopsCleanlyOnCtrlC(again);
    }

    @Test
    void standaloneDeliversToHecWhenAnUrlAndTokenAreSet() throws Exception {
        Path fstrmReplay = DnsPeers.require("fstrm_replay", "fstrm-bin");
        try (HecEmulator hec = HecEmulator.start("4a1d6c2e-0000-4000-8000-00000000001a")) {
            Processes.Started standalone = startStandalone(Map.of("DNSTAP_HEC_URL", hec.url().toString(),
                    "DNSTAP_HEC_TOKEN", hec.token(), "DNSTAP_HEC_SOURCETYPE", "dnstap:unbound"));

            replay(fstrmReplay);

            List<JsonNode> events = hec.awaitEvents(652, Duration.ofSeconds(60));
            Map<String, ReferenceDecode.Message> reference = new HashMap<>();
            ReferenceDecode.unboundSmall().forEach(message -> reference.put(ReferenceComparison.key(message), message));
            for (JsonNode event : events) {
                ReferenceComparison.assertMatches(event, reference.get(ReferenceComparison.key(event)), "dnstap:unbound");
            }
            assertThat(standalone.output()).doesNotContain(hec.token());
            assertStopsCleanlyOnCtrlC(standalone);
        }
    }

    @Test
    void refusesABadSettingAtStartNamingTheVariable() throws Exception {
        Processes.Started bad = launch(List.of("standalone"), Map.of("DNSTAP_BATCH_SIZE", "0",
                "DNSTAP_DATA_DIR", dir.resolve("data").toString()));

        assertThat(bad.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.process().exitValue()).isEqualTo(2);
        assertThat(bad.output()).contains("Invalid value for --batch-size (DNSTAP_BATCH_SIZE): '0' must be at least 1");
    }

    private Processes.Started startStandalone(Map<String, String> extra) throws Exception {
        kafkaPort = FreePorts.one();
        tcpPort = FreePorts.one();
        opsPort = FreePorts.consecutive(2);
        Map<String, String> environment = new HashMap<>(Map.of(
                "DNSTAP_DATA_DIR", dir.resolve("data").toString(),
                "DNSTAP_KAFKA_BOOTSTRAP", "127.0.0.1:" + kafkaPort,
                "DNSTAP_TCP_LISTEN", "127.0.0.1:" + tcpPort,
                "DNSTAP_MONITORING_PORT", Integer.toString(opsPort)));
        environment.putAll(extra);
        Processes.Started standalone = launch(List.of("standalone"), environment);
        await().atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(standalone.process().isAlive()).as(standalone.output()).isTrue();
            return ready(opsPort) && ready(opsPort + 1);
        });
        return standalone;
    }

    /**
     * Runs the launcher as a user would. SIGINT is set back to its default first: a process
     * started from a background job inherits SIGINT ignored, which no program can undo itself.
     */
    private Processes.Started launch(List<String> arguments, Map<String, String> environment) {
        List<String> command = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die $!",
                LAUNCHER.toString()));
        command.addAll(arguments);
        Map<String, String> env = new HashMap<>(environment);
        env.put("DNSTAP_SKIP_BUILD", "1"); // verify has just built it; never rebuild under a running build
        Processes.Started process = Processes.start(command, dir, dir.resolve("launcher-" + started.size() + ".log"), env);
        started.add(process);
        return process;
    }

    private void replay(Path fstrmReplay) throws Exception {
        Process replay = new ProcessBuilder(fstrmReplay.toString(), "-t", DnstapEvents.DNSTAP_CONTENT_TYPE,
                "-r", TestData.path(TestData.UNBOUND_SMALL).toString(),
                "-u", dir.resolve("data").resolve("dnstap.sock").toString()).redirectErrorStream(true).start();
        String output = new String(replay.getInputStream().readAllBytes());
        assertThat(replay.waitFor()).as(output).isZero();
    }

    private static void assertStopsCleanlyOnCtrlC(Processes.Started process) throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();

        assertThat(process.process().waitFor(60, TimeUnit.SECONDS)).as(process.output()).isTrue();
        assertThat(process.process().exitValue()).as(process.output()).isZero();
        assertThat(process.output()).contains("Received SIGINT", "dnstap-forwarder stopped").doesNotContain(" ERROR ");
    }

    private boolean ready(int port) {
        try {
            return get(port, "/ready").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
