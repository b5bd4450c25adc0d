package io.dnstapforwarder.standalone;

import static io.dnstapforwarder.testkit.NumberedEvents.numbers;
import static io.dnstapforwarder.testkit.NumberedEvents.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.NumberedEvents;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
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
    private static final Duration LATENCY = Duration.ofMillis(20);

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
            hec.respondSlowly(LATENCY); // a loaded indexer: the kill finds requests in flight
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
            Thread.sleep(LATENCY.toMillis() * 25); // requests that reached HEC before the kill are recorded after its latency
            Set<Long> deliveredBeforeKill = new HashSet<>(numbers(hec.events()));
            assertThat(deliveredBeforeKill.size()).as("killed mid-stream").isLessThan(EVENTS);
            Map<TopicPartition, Long> committedAtKill = TestKafka.committed(group, topic);
            Map<Long, TopicPartition> partitionOf = new HashMap<>();
            Map<Long, Long> offsetOf = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : TestKafka.read(topic, EVENTS, Duration.ofSeconds(60))) {
                long number = DnstapEvent.parseFrom(record.value()).getConnectionId();
                partitionOf.put(number, new TopicPartition(record.topic(), record.partition()));
                offsetOf.put(number, record.offset());
            }
            // Delivered and not committed when the process died: what a restart may send again.
            Set<Long> uncommitted = new HashSet<>();
            for (long number = 0; number < EVENTS; number++) {
                boolean committed = offsetOf.get(number) < committedAtKill.get(partitionOf.get(number));
                if (committed) {
                    assertThat(deliveredBeforeKill).as("committed only after HEC took it").contains(number);
                } else if (deliveredBeforeKill.contains(number)) {
                    uncommitted.add(number);
                }
            }

            try (Processes.Started second = start(env, "second")) {
                await().atMost(Duration.ofSeconds(120)).until(() -> new HashSet<>(numbers(hec.events())).size() == EVENTS);
                List<Long> delivered = numbers(hec.events());
                assertThat(new HashSet<>(delivered)).containsExactlyInAnyOrderElementsOf(range(0, EVENTS));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(TestKafka.committed(group, topic)).isEqualTo(TestKafka.endOffsets(topic)));
                Set<Long> seen = new HashSet<>();
                Set<Long> duplicates = new HashSet<>();
                delivered.forEach(number -> (seen.add(number) ? seen : duplicates).add(number));
                assertThat(delivered.size() - EVENTS).as("each duplicate came twice, not more").isEqualTo(duplicates.size());
                assertThat(uncommitted).as("only what was delivered and not committed at the kill comes again")
                        .containsAll(duplicates);
                // That window is what the pipeline holds: the batches in flight (two per worker), batches
                // settled behind an unsettled one of their partition, and those settled since the last
                // commit the broker confirmed (commits are asynchronous, one per loop turn).
                int pipeline = CONCURRENCY * 2 * BATCH;
                assertThat(uncommitted.size()).as("delivered but uncommitted at the kill").isLessThanOrEqualTo(3 * pipeline);
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
