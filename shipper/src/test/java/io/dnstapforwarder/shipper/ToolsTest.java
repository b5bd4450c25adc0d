package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static io.dnstapforwarder.shipper.ShipperHarness.header;
import static io.dnstapforwarder.shipper.ShipperHarness.ids;
import static io.dnstapforwarder.shipper.ShipperHarness.parse;
import static io.dnstapforwarder.shipper.ShipperHarness.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.shipper.cli.DlqCommand;
import io.dnstapforwarder.shipper.cli.ReplayCommand;
import io.dnstapforwarder.shipper.deadletter.DeadLetterHeaders;
import io.dnstapforwarder.testkit.TestKafka;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shipper's tools as an operator runs them: {@code replay} and {@code dlq redrive}, against a real broker. */
@Timeout(180)
class ToolsTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(3));

    @Test
    void replayDeliversExactlyTheEventsOfTheTimeRangeAndResumesRatherThanRepeats() {
        Instant t1 = T0.plus(Duration.ofHours(1));
        Instant t2 = T0.plus(Duration.ofHours(2));
        for (int partition = 0; partition < ShipperHarness.PARTITIONS; partition++) {
            int base = partition * 1_000;
            harness.produceAt(base, base + 100, partition, T0);
            harness.produceAt(base + 100, base + 200, partition, t1);
            harness.produceAt(base + 200, base + 300, partition, t2);
            // Out of order by half a minute (another collector's clock): in the range, though appended after t2.
            harness.produceAt(base + 300, base + 310, partition, t2.minusSeconds(30));
            harness.produceAt(base + 310, base + 320, partition, t2.plusSeconds(30));
        }

        int status = Cli.execute(new ReplayCommand(), toolEnvironment(), "--from", t1.toString(), "--to", t2.toString());

        assertThat(status).isZero();
        List<Long> expected = new ArrayList<>();
        for (int partition = 0; partition < ShipperHarness.PARTITIONS; partition++) {
            int base = partition * 1_000;
            LongStream.range(base + 100, base + 200).forEach(expected::add);
            LongStream.range(base + 300, base + 310).forEach(expected::add);
        }
        assertThat(ids(hec.events())).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(TestKafka.committed("dnstap-replay-" + t1.getEpochSecond() + "-" + t2.getEpochSecond(), harness.topic))
                .as("the replay's own group").isNotEmpty();

        int again = Cli.execute(new ReplayCommand(), toolEnvironment(), "--from", t1.toString(), "--to", t2.toString());

        assertThat(again).isZero();
        assertThat(hec.eventCount()).as("the same replay again: its group has it all").isEqualTo(expected.size());
    }

    @Test
    void replaysARangeAgainShapedAnotherWayForKafkaKeptEveryEventWhole() {
        Instant t1 = T0.plus(Duration.ofHours(1));
        harness.produceAt(0, 60, 0, t1);
        assertThat(Cli.execute(new ReplayCommand(), toolEnvironment(), "--from", t1.toString(), "--to",
                t1.plusSeconds(1).toString())).isZero();
        assertThat(hec.events()).hasSize(60).allSatisfy(event -> assertThat(event.at("/event").has("collector")).isTrue());

        int status = Cli.execute(new ReplayCommand(), toolEnvironment(), "--from", t1.toString(), "--to",
                t1.plusSeconds(1).toString(), "--replay-group", "compact-again", "--event-profile", "compact",
                "--responses-only");

        assertThat(status).isZero();
        List<com.fasterxml.jackson.databind.JsonNode> compact = hec.events().subList(60, hec.events().size());
        assertThat(compact).isNotEmpty().allSatisfy(event -> {
            assertThat(event.at("/event/message_type").asText()).isEqualTo("Response");
            java.util.Set<String> fields = new java.util.TreeSet<>();
            event.get("event").fieldNames().forEachRemaining(fields::add);
            assertThat(fields).isSubsetOf("message_type", "src", "query", "query_type", "reply_code", "answer",
                    "event_id");
        });
        // Shaped another way, each record keeps its id: a search can dedup the two replays.
        java.util.Set<String> firstIds = new java.util.HashSet<>();
        hec.events().subList(0, 60).forEach(event -> firstIds.add(event.at("/event/event_id").asText()));
        assertThat(compact).allSatisfy(event -> assertThat(firstIds).contains(event.at("/event/event_id").asText()));
        assertThat(compact.size()).as("the responses of the 60").isLessThan(60);
    }

    @Test
    void redriveSendsTheDeadLettersToHecOnceFixedAndEmptiesTheTopic() throws Exception {
        deadLetterEventsFiveAndSeven();
        int delivered = hec.eventCount();

        int status = Cli.execute(new DlqCommand(), toolEnvironment(), "redrive");

        assertThat(status).isZero();
        assertThat(ids(hec.events()).subList(delivered, hec.eventCount())).containsExactlyInAnyOrder(5L, 7L);
        assertThat(deadLetterRecords()).isEmpty();
    }

    @Test
    void redriveKeepsWhatFailsAgainWithOneAttemptMore() throws Exception {
        deadLetterEventsFiveAndSeven();
        hec.rejectEvents(event -> event.at("/event/connection_id").asLong() == 7, true);

        int status = Cli.execute(new DlqCommand(), toolEnvironment(), "redrive");

        assertThat(status).isZero();
        List<ConsumerRecord<byte[], byte[]>> left = deadLetterRecords();
        assertThat(left).singleElement().satisfies(record -> {
            assertThat(parse(record.value()).getConnectionId()).isEqualTo(7);
            assertThat(header(record, DeadLetterHeaders.ATTEMPTS)).isEqualTo("2");
            assertThat(header(record, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(harness.topic);
        });
        assertThat(ids(hec.events())).contains(5L).doesNotContain(7L);
    }

    @Test
    void redriveToTheTopicPutsTheOriginalRecordsBackForTheShippers() throws Exception {
        deadLetterEventsFiveAndSeven();
        long before = harness.endOffsets().values().stream().mapToLong(Long::longValue).sum();

        int status = Cli.execute(new DlqCommand(), toolEnvironment(), "redrive", "--target", "topic");

        assertThat(status).isZero();
        assertThat(deadLetterRecords()).isEmpty();
        assertThat(harness.endOffsets().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(before + 2);
        await().atMost(WAIT).until(() -> ids(hec.events()).contains(5L) && ids(hec.events()).contains(7L));
    }

    /** Runs a shipper while HEC rejects events 5 and 7, so that exactly those are on the dead-letter topic. */
    private void deadLetterEventsFiveAndSeven() throws Exception {
        hec.rejectEvents(event -> {
            long id = event.at("/event/connection_id").asLong();
            return id == 5 || id == 7;
        }, true);
        harness.produce(0, 50);
        harness.start(fastHec(hec.url(), TOKEN), 100);
        await().atMost(WAIT).until(() -> deadLetterRecords().size() == 2);
        await().atMost(WAIT).until(() -> hec.eventCount() == 48);
        hec.rejectEvents(event -> false, true);
    }

    private List<ConsumerRecord<byte[], byte[]>> deadLetterRecords() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                TestKafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(harness.deadLetterTopic, 0);
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
