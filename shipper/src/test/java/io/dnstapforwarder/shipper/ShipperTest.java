package io.dnstapforwarder.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.shipper.consume.DeadLetterPublisher;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipper against a real broker and the strict HEC emulator. Every record carries its index
 * as connection id, so the tests can check, event by event, that nothing was lost.
 */
@Timeout(180)
class ShipperTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOKEN = "8f6a3c2e-0000-4000-8000-000000000001";

    @TempDir
    Path dir;

    private final HecEmulator hec = HecEmulator.start(TOKEN);
    private final List<Shipper> shippers = new ArrayList<>();
    private String topic;
    private String deadLetterTopic;
    private String group;
    private List<byte[]> frames;
    private KafkaProducer<byte[], byte[]> producer;

    @BeforeEach
    void setUp() throws Exception {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
        topic = TestKafka.createTopic(TestKafka.uniqueTopic("events"), 3);
        deadLetterTopic = TestKafka.createTopic(TestKafka.uniqueTopic("dlq"), 1);
        group = TestKafka.uniqueTopic("group");
        frames = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
    }

    @AfterEach
    void tearDown() {
        shippers.forEach(Shipper::close);
        hec.close();
        producer.close();
    }

    @Test
    void deliversEveryEventOnceAndCommitsTheWholeTopic() throws Exception {
        produce(0, frames.size());

        start(hec.url(), TOKEN, 100);

        List<JsonNode> events = hec.awaitEvents(frames.size(), WAIT);
        assertThat(ids(events)).containsExactlyInAnyOrderElementsOf(range(0, frames.size()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(committed()).isEqualTo(endOffsets()));
        assertThat(hec.requests()).allSatisfy(request -> assertThat(request.header("Content-Encoding")).isEqualTo("gzip"));
    }

    @Test
    void holdsEverythingWhileHecIsDownAndDeliversItAllWhenHecReturns() throws Exception {
        hec.stop();
        produce(0, 300);
        start(hec.url(), TOKEN, 50);

        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics()).contains("error_type=\"connect\""));
        assertThat(committed().values()).allMatch(offset -> offset == 0L);
        hec.start();
        produce(300, frames.size());

        List<JsonNode> events = hec.awaitEvents(frames.size(), WAIT);
        assertThat(ids(events)).containsExactlyInAnyOrderElementsOf(range(0, frames.size()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(committed()).isEqualTo(endOffsets()));
    }

    @Test
    void retriesBusyAndThrottledAnswersAndWaitsAsLongAsRetryAfterSays() throws Exception {
        hec.respondServerBusy(2);
        hec.respondTooManyRequests(1, 2);
        produce(0, 50);

        start(hec.url(), TOKEN, 1000);

        List<JsonNode> events = hec.awaitEvents(50, WAIT);
        assertThat(ids(events)).containsExactlyInAnyOrderElementsOf(range(0, 50));
        List<HecEmulator.Request> requests = hec.requests();
        assertThat(requests).extracting(HecEmulator.Request::status).startsWith(503, 503, 429, 200);
        assertThat(Duration.between(requests.get(2).receivedAt(), requests.get(3).receivedAt()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void deadLettersExactlyTheEventHecRejectsAndDeliversTheRest() throws Exception {
        hec.rejectEvents(event -> event.at("/event/connection_id").asLong() == 17, true);
        produce(0, 100);

        start(hec.url(), TOKEN, 1000);

        await().atMost(WAIT).until(() -> hec.eventCount() >= 99);
        List<ConsumerRecord<byte[], byte[]>> dead = TestKafka.read(deadLetterTopic, 1, WAIT);
        assertThat(dead).hasSize(1);
        ConsumerRecord<byte[], byte[]> record = dead.get(0);
        assertThat(DnstapEvent.parseFrom(record.value()).getConnectionId()).isEqualTo(17);
        assertThat(header(record, DeadLetterPublisher.REASON)).isEqualTo("HTTP 400: Invalid data format");
        assertThat(header(record, DeadLetterPublisher.ERROR_CODE)).isEqualTo("hec_6");
        assertThat(header(record, DeadLetterPublisher.SOURCE_TOPIC)).isEqualTo(topic);
        assertThat(Long.parseLong(header(record, DeadLetterPublisher.SOURCE_OFFSET))).isNotNegative();
        assertThat(header(record, DeadLetterPublisher.SHIPPER)).isEqualTo("shipper-test");
        assertThat(header(record, DeadLetterPublisher.ATTEMPTS)).isEqualTo("1");
        assertThat(header(record, DeadLetterPublisher.FIRST_FAILURE)).isNotBlank();
        assertThat(header(record, DnstapEvents.SCHEMA_HEADER)).isEqualTo(DnstapEvents.SCHEMA);
        assertThat(ids(hec.events())).containsExactlyInAnyOrderElementsOf(
                range(0, 100).stream().filter(id -> id != 17).toList());
        await().atMost(WAIT).untilAsserted(() -> assertThat(committed()).isEqualTo(endOffsets()));
    }

    @Test
    void narrowsARejectedBatchDownToTheBadEventWhenHecDoesNotNameIt() throws Exception {
        hec.rejectEvents(event -> event.at("/event/connection_id").asLong() == 42, false);
        produce(0, 64);

        start(hec.url(), TOKEN, 1000);

        await().atMost(WAIT).until(() -> hec.eventCount() >= 63);
        List<ConsumerRecord<byte[], byte[]>> dead = TestKafka.read(deadLetterTopic, 1, WAIT);
        assertThat(dead).extracting(r -> parse(r.value()).getConnectionId()).containsExactly(42L);
        assertThat(ids(hec.events())).hasSize(63).doesNotContain(42L);
    }

    @Test
    void deadLettersARecordThatIsNotADnstapEvent() throws Exception {
        produce(0, 10);
        send("not a protobuf envelope \u00ff".getBytes(StandardCharsets.ISO_8859_1));
        produce(10, 20);

        start(hec.url(), TOKEN, 1000);

        List<JsonNode> events = hec.awaitEvents(20, WAIT);
        assertThat(ids(events)).containsExactlyInAnyOrderElementsOf(range(0, 20));
        List<ConsumerRecord<byte[], byte[]>> dead = TestKafka.read(deadLetterTopic, 1, WAIT);
        assertThat(dead).hasSize(1);
        assertThat(header(dead.get(0), DeadLetterPublisher.ERROR_CODE)).isEqualTo("undecodable_record");
        assertThat(header(dead.get(0), DeadLetterPublisher.REASON)).startsWith("the record is not a dnstap event");
        await().atMost(WAIT).untilAsserted(() -> assertThat(committed()).isEqualTo(endOffsets()));
    }

    @Test
    void losesNothingWhenRestartedMidStreamWithEventsUndelivered() throws Exception {
        produce(0, 300);
        Shipper first = start(hec.url(), TOKEN, 20);
        await().atMost(WAIT).until(() -> hec.eventCount() >= 100);
        hec.stop(); // the rest of the stream cannot be delivered before the restart
        produce(300, frames.size());
        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics()).contains("error_type=\"connect\""));

        first.close();
        int deliveredBeforeRestart = hec.eventCount();
        hec.start();
        start(hec.url(), TOKEN, 20);

        await().atMost(WAIT).until(() -> Set.copyOf(ids(hec.events())).size() == frames.size());
        assertThat(deliveredBeforeRestart).isLessThan(frames.size());
        assertThat(Set.copyOf(ids(hec.events()))).containsExactlyInAnyOrderElementsOf(range(0, frames.size()));
        long duplicates = hec.eventCount() - frames.size();
        assertThat(duplicates).as("re-sent after the restart: at most what was in flight").isLessThanOrEqualTo(20 * 3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(committed()).isEqualTo(endOffsets()));
    }

    @Test
    void waitsWithAWrongTokenAndSaysSoOnReady() throws Exception {
        produce(0, 30);
        Shipper wrong = start(hec.url(), "wrong-token", 1000);

        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> ready = get(wrong, "/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("HTTP 403: Invalid token");
        });
        assertThat(hec.eventCount()).isZero();
        assertThat(committed().values()).allMatch(offset -> offset == 0L);
        wrong.close();

        start(hec.url(), TOKEN, 1000);

        assertThat(ids(hec.awaitEvents(30, WAIT))).containsExactlyInAnyOrderElementsOf(range(0, 30));
    }

    @Test
    void writesEventsAsJsonLinesWithoutAHecUrl() throws Exception {
        produce(0, frames.size());

        start(null, null, 100);

        Path file = dir.resolve("events.jsonl");
        await().atMost(WAIT).until(() -> Files.exists(file) && Files.readAllLines(file).size() >= frames.size());
        List<String> lines = Files.readAllLines(file);
        List<Long> ids = new ArrayList<>();
        for (String line : lines) {
            ids.add(Json.exactDecimals().readTree(line).at("/event/connection_id").asLong());
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(range(0, frames.size()));
        await().atMost(WAIT).untilAsserted(() -> assertThat(committed()).isEqualTo(endOffsets()));
    }

    private Shipper start(URI hecUrl, String token, int batchSize) throws Exception {
        Shipper shipper = Shipper.start(new ShipperConfig("shipper-test", hecUrl, token, null, "dnstap", batchSize, 1_000_000,
                Duration.ofMillis(200), Duration.ofMillis(20), Duration.ofMillis(300), TestKafka.bootstrapServers(), topic,
                group, deadLetterTopic, Map.of(), dir, new HostPort("127.0.0.1", 0)));
        shippers.add(shipper);
        return shipper;
    }

    /** Publishes frames [from, to) as the collector would, each with its index as connection id. */
    private void produce(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            sendAsync(DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frames.get(i % frames.size())))
                    .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("c").setConnectionId(i)
                    .setTransport(Transport.UNIX).setPeerAddress("/s").setReceivedAtNs(1).build().toByteArray());
        }
        producer.flush();
    }

    private void send(byte[] value) throws Exception {
        sendAsync(value);
        producer.flush();
    }

    private void sendAsync(byte[] value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, value);
        record.headers().add(DnstapEvents.SCHEMA_HEADER, DnstapEvents.SCHEMA.getBytes(StandardCharsets.UTF_8));
        producer.send(record);
    }

    private Map<TopicPartition, Long> committed() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> result = new HashMap<>();
            for (int partition = 0; partition < 3; partition++) {
                OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, partition));
                result.put(new TopicPartition(topic, partition), offset == null ? 0L : offset.offset());
            }
            return result;
        }
    }

    private Map<TopicPartition, Long> endOffsets() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int partition = 0; partition < 3; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private String metrics() throws Exception {
        return get(shippers.get(shippers.size() - 1), "/metrics").body();
    }

    private static HttpResponse<String> get(Shipper shipper, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + shipper.monitoringPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<Long> ids(List<JsonNode> events) {
        return events.stream().map(event -> event.at("/event/connection_id").asLong()).toList();
    }

    private static List<Long> range(int from, int to) {
        return LongStream.range(from, to).boxed().toList();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static DnstapEvent parse(byte[] value) {
        try {
            return DnstapEvent.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
