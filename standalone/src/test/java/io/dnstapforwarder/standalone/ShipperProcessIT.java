package io.dnstapforwarder.standalone;

import static io.dnstapforwarder.testkit.NumberedEvents.numbers;
import static io.dnstapforwarder.testkit.NumberedEvents.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.NumberedEvents;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shipper as its own process, killed with SIGKILL mid-stream: after a restart nothing is lost. */
@Timeout(300)
class ShipperProcessIT {

    private static final Path LAUNCHER = Path.of("..", "bin", "dnstap-forwarder").toAbsolutePath().normalize();
    private static final String TOKEN = "8f6a3c2e-0000-4000-8000-000000000005";
    private static final int EVENTS = 30_000;
    private static final int BATCH = 200;
    private static final int CONCURRENCY = 4;

    @TempDir
    Path dir;

    @Test
    void losesNothingWhenKilledMidStreamAndDuplicatesOnlyWhatWasInFlight() throws Exception {
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("kill9"), 3);
        String deadLetters = TestKafka.createTopic(TestKafka.uniqueTopic("kill9-dlq"), 1);
        String group = TestKafka.uniqueTopic("kill9-group");
        try (HecEmulator hec = HecEmulator.start(TOKEN); NumberedEvents events = new NumberedEvents(
                TestKafka.bootstrapServers(), topic)) {
            events.produce(0, EVENTS, null);
            hec.respondSlowly(Duration.ofMillis(20)); // a loaded indexer: the kill finds requests in flight
            Map<String, String> env = Map.of("DNSTAP_SKIP_BUILD", "1", "DNSTAP_HEC_URL", hec.url().toString(),
                    "DNSTAP_HEC_TOKEN", TOKEN, "DNSTAP_KAFKA_BOOTSTRAP", TestKafka.bootstrapServers(),
                    "DNSTAP_KAFKA_TOPIC", topic, "DNSTAP_KAFKA_GROUP", group, "DNSTAP_DLQ_TOPIC", deadLetters,
                    "DNSTAP_BATCH_SIZE", Integer.toString(BATCH), "DNSTAP_HEC_CONCURRENCY", Integer.toString(CONCURRENCY),
                    "DNSTAP_DATA_DIR", dir.toString());

            try (Processes.Started first = start(env, "first")) {
                await().atMost(Duration.ofSeconds(90)).until(() -> hec.eventCount() >= EVENTS / 3);
                new ProcessBuilder("kill", "-KILL", Long.toString(first.pid())).start().waitFor();
                assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            int deliveredBeforeKill = hec.eventCount();
            assertThat(deliveredBeforeKill).as("killed mid-stream").isLessThan(EVENTS);

            try (Processes.Started second = start(env, "second")) {
                await().atMost(Duration.ofSeconds(120)).until(() -> new HashSet<>(numbers(hec.events())).size() == EVENTS);
                List<Long> delivered = numbers(hec.events());
                assertThat(new HashSet<>(delivered)).containsExactlyInAnyOrderElementsOf(range(0, EVENTS));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(TestKafka.committed(group, topic)).isEqualTo(TestKafka.endOffsets(topic)));
                // What was delivered and not yet committed when the process died: the batches in flight
                // (two per worker) and those settled since the last commit, one loop turn.
                int bound = (CONCURRENCY * 2 + 3) * BATCH;
                assertThat(delivered.size() - EVENTS).as("duplicates after kill -9").isLessThanOrEqualTo(bound);
            }
        }
    }

    private Processes.Started start(Map<String, String> env, String name) throws Exception {
        Map<String, String> withPort = new java.util.HashMap<>(env);
        withPort.put("DNSTAP_MONITORING_PORT", Integer.toString(FreePorts.one()));
        withPort.put("DNSTAP_SHIPPER_ID", name);
        return Processes.start(List.of(LAUNCHER.toString(), "shipper"), dir, dir.resolve(name + ".log"), withPort);
    }
}
