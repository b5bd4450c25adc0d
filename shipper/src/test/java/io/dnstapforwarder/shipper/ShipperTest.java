package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static io.dnstapforwarder.shipper.ShipperHarness.get;
import static io.dnstapforwarder.shipper.ShipperHarness.header;
import static io.dnstapforwarder.shipper.ShipperHarness.ids;
import static io.dnstapforwarder.shipper.ShipperHarness.parse;
import static io.dnstapforwarder.shipper.ShipperHarness.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.metrics.PeriodicLog;
import io.dnstapforwarder.shipper.deadletter.DeadLetterHeaders;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.HecRequest;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.LogLines;
import io.dnstapforwarder.testkit.TestKafka;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shipper against a real broker and the strict HEC emulator: delivery, retries, dead letters,
 * restarts and configuration errors, checked event by event.
 */
@Timeout(180)
class ShipperTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void deliversEveryEventOnceAndCommitsTheWholeTopic() throws Exception {
        harness.produce(0, harness.frames());

        harness.start(fastHec(hec.url(), TOKEN), 100);

        List<JsonNode> events = hec.awaitEvents(harness.frames(), WAIT);
        assertThat(ids(events)).containsExactlyInAnyOrderElementsOf(range(0, harness.frames()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
        assertThat(hec.requests()).allSatisfy(request -> assertThat(request.header("Content-Encoding")).isEqualTo("gzip"));
    }

    @Test
    void holdsEverythingWhileHecIsDownAndDeliversItAllWhenHecReturns() throws Exception {
        hec.stop();
        harness.produce(0, 300);
        Shipper shipper = harness.start(fastHec(hec.url(), TOKEN), 50);

        await().atMost(WAIT).untilAsserted(() -> assertThat(get(shipper, "/metrics").body()).contains("error_type=\"connect\""));
        assertThat(harness.committed().values()).allMatch(offset -> offset == 0L);
        hec.start();
        harness.produce(300, harness.frames());

        List<JsonNode> events = hec.awaitEvents(harness.frames(), WAIT);
        assertThat(ids(events)).containsExactlyInAnyOrderElementsOf(range(0, harness.frames()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
    }

    @Test
    void retriesBusyAndThrottledAnswersAndWaitsAsLongAsRetryAfterSays() throws Exception {
        hec.respondServerBusy(2);
        hec.respondTooManyRequests(1, 2);
        harness.produce(0, 50, 0);

        // One request at a time, so that the answers above go to one request and its retries, in order.
        harness.start(fastHec(hec.url(), TOKEN).withConcurrency(1), 1000);

        List<JsonNode> events = hec.awaitEvents(50, WAIT);
        assertThat(ids(events)).containsExactlyInAnyOrderElementsOf(range(0, 50));
        List<HecRequest> requests = hec.requests();
        assertThat(requests).extracting(HecRequest::status).startsWith(503, 503, 429, 200);
        assertThat(Duration.between(requests.get(2).receivedAt(), requests.get(3).receivedAt()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void deadLettersExactlyTheEventHecRejectsAndDeliversTheRest() throws Exception {
        hec.rejectEvents(event -> event.at("/event/connection_id").asLong() == 17, true);
        harness.produce(0, 100);

        harness.start(fastHec(hec.url(), TOKEN), 1000);

        await().atMost(WAIT).until(() -> hec.eventCount() >= 99);
        List<ConsumerRecord<byte[], byte[]>> dead = TestKafka.read(harness.deadLetterTopic, 1, WAIT);
        assertThat(dead).hasSize(1);
        ConsumerRecord<byte[], byte[]> record = dead.get(0);
        assertThat(DnstapEvent.parseFrom(record.value()).getConnectionId()).isEqualTo(17);
        assertThat(header(record, DeadLetterHeaders.REASON)).isEqualTo("HTTP 400: Invalid data format");
        assertThat(header(record, DeadLetterHeaders.ERROR_CODE)).isEqualTo("hec_6");
        assertThat(header(record, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(harness.topic);
        assertThat(Long.parseLong(header(record, DeadLetterHeaders.SOURCE_OFFSET))).isNotNegative();
        assertThat(header(record, DeadLetterHeaders.SHIPPER)).isEqualTo("shipper-test");
        assertThat(header(record, DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
        assertThat(header(record, DeadLetterHeaders.FIRST_FAILURE)).isNotBlank();
        assertThat(header(record, DnstapEvents.SCHEMA_HEADER)).isEqualTo(DnstapEvents.SCHEMA);
        assertThat(ids(hec.events())).containsExactlyInAnyOrderElementsOf(
                range(0, 100).stream().filter(id -> id != 17).toList());
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
    }

    @Test
    void narrowsARejectedBatchDownToTheBadEventWhenHecDoesNotNameIt() throws Exception {
        hec.rejectEvents(event -> event.at("/event/connection_id").asLong() == 42, false);
        harness.produce(0, 64);

        harness.start(fastHec(hec.url(), TOKEN), 1000);

        await().atMost(WAIT).until(() -> hec.eventCount() >= 63);
        List<ConsumerRecord<byte[], byte[]>> dead = TestKafka.read(harness.deadLetterTopic, 1, WAIT);
        assertThat(dead).extracting(r -> parse(r.value()).getConnectionId()).containsExactly(42L);
        assertThat(ids(hec.events())).hasSize(63).doesNotContain(42L);
    }

    @Test
    void deadLettersARecordThatIsNotADnstapEvent() throws Exception {
        harness.produce(0, 10);
        harness.send(null, "not a protobuf envelope \u00ff".getBytes(StandardCharsets.ISO_8859_1));
        harness.produce(10, 20);

        harness.start(fastHec(hec.url(), TOKEN), 1000);

        List<JsonNode> events = hec.awaitEvents(20, WAIT);
        assertThat(ids(events)).containsExactlyInAnyOrderElementsOf(range(0, 20));
        List<ConsumerRecord<byte[], byte[]>> dead = TestKafka.read(harness.deadLetterTopic, 1, WAIT);
        assertThat(dead).hasSize(1);
        assertThat(header(dead.get(0), DeadLetterHeaders.ERROR_CODE)).isEqualTo("undecodable_record");
        assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).startsWith("the record is not a dnstap event");
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
    }

    @Test
    void losesNothingWhenRestartedMidStreamWithEventsUndelivered() throws Exception {
        harness.produce(0, 300);
        Shipper first = harness.start(fastHec(hec.url(), TOKEN), 20);
        await().atMost(WAIT).until(() -> hec.eventCount() >= 100);
        hec.stop(); // the rest of the stream cannot be delivered before the restart
        harness.produce(300, harness.frames());
        await().atMost(WAIT).untilAsserted(() -> assertThat(get(first, "/metrics").body()).contains("error_type=\"connect\""));

        first.close();
        int deliveredBeforeRestart = hec.eventCount();
        hec.start();
        harness.start(fastHec(hec.url(), TOKEN), 20);

        await().atMost(WAIT).until(() -> Set.copyOf(ids(hec.events())).size() == harness.frames());
        assertThat(deliveredBeforeRestart).isLessThan(harness.frames());
        assertThat(Set.copyOf(ids(hec.events()))).containsExactlyInAnyOrderElementsOf(range(0, harness.frames()));
        long duplicates = hec.eventCount() - harness.frames();
        assertThat(duplicates).as("re-sent after the restart: at most what was in flight").isLessThanOrEqualTo(20 * 3);
        // What Splunk's `dedup event_id` keeps: one event per record, each re-sent copy with its original's id.
        java.util.Map<String, Long> recordOfId = new java.util.HashMap<>();
        for (JsonNode event : hec.events()) {
            Long record = ids(List.of(event)).get(0);
            assertThat(recordOfId.putIfAbsent(event.at("/event/event_id").asText(), record)).as("one id, one record")
                    .isIn(null, record);
        }
        assertThat(recordOfId).hasSize(harness.frames());
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
    }

    @Test
    void waitsWithAWrongTokenAndSaysSoOnReady() throws Exception {
        harness.produce(0, 30);
        Shipper wrong = harness.start(fastHec(hec.url(), "wrong-token"), 1000);

        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> ready = get(wrong, "/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("HTTP 403: Invalid token");
        });
        assertThat(hec.eventCount()).isZero();
        assertThat(harness.committed().values()).allMatch(offset -> offset == 0L);
        wrong.close();

        harness.start(fastHec(hec.url(), TOKEN), 1000);

        assertThat(ids(hec.awaitEvents(30, WAIT))).containsExactlyInAnyOrderElementsOf(range(0, 30));
    }

    @Test
    void writesEventsAsJsonLinesWithoutAHecUrl() throws Exception {
        harness.produce(0, harness.frames());

        harness.start(HecConfig.none(), 100);

        Path file = dir.resolve("events.jsonl");
        await().atMost(WAIT).until(() -> Files.exists(file) && Files.readAllLines(file).size() >= harness.frames());
        List<String> lines = Files.readAllLines(file);
        List<Long> ids = new ArrayList<>();
        for (String line : lines) {
            ids.add(Json.exactDecimals().readTree(line).at("/event/connection_id").asLong());
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(range(0, harness.frames()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
    }

    @Test
    void logsAPerformanceLinePerInterval() throws Exception {
        try (LogLines lines = LogLines.of(PeriodicLog.class)) {
            harness.produce(0, 500);
            ShipperConfig base = harness.config("perf-log", fastHec(hec.url(), TOKEN), 100);
            harness.start(base.toBuilder().performanceLogInterval(Duration.ofSeconds(1)).build());

            await().atMost(WAIT).until(() -> lines.messages().stream().anyMatch(line -> line
                    .matches("performance: [\\d,]+ events/s consumed, [\\d,]+ events/s delivered, 0 dead-lettered, "
                            + "0 retries in all, \\d+ batches in flight, endpoints \\{http://127.0.0.1:\\d+=CLOSED\\}")
                    && !line.startsWith("performance: 0 events/s consumed")));
        }
    }
}
