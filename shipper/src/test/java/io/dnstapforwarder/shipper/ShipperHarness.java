package io.dnstapforwarder.shipper;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.testkit.NumberedEvents;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the shipper tests share: a fresh topic of {@value #PARTITIONS} partitions with its
 * dead-letter topic and group on the test broker, numbered events to publish, shippers started
 * and closed, and the group's committed offsets.
 */
final class ShipperHarness implements AutoCloseable {

    static final int PARTITIONS = 3;

    final String topic;
    final String deadLetterTopic;
    final String group;
    private final Path dir;
    private final NumberedEvents events;
    private final List<Shipper> shippers = new ArrayList<>();

    ShipperHarness(Path dir) {
        this.dir = dir;
        this.topic = TestKafka.createTopic(TestKafka.uniqueTopic("events"), PARTITIONS);
        this.deadLetterTopic = TestKafka.createTopic(TestKafka.uniqueTopic("dlq"), 1);
        this.group = TestKafka.uniqueTopic("group");
        this.events = new NumberedEvents(TestKafka.bootstrapServers(), topic);
    }

    /** HEC at {@code url} with short retry delays and breaker pauses, so that outages take seconds. */
    static HecConfig fastHec(URI url, String token) {
        return fast(HecConfig.to(url, token));
    }

    /** The same, with the token read from {@code tokenFile}. */
    static HecConfig fastHec(URI url, Path tokenFile) {
        return fast(HecConfig.to(url, tokenFile));
    }

    private static HecConfig fast(HecConfig hec) {
        return hec.withRetries(Duration.ofMillis(20), Duration.ofMillis(300), 3)
                .withBreaker(new HecConfig.Breaker(true, 50, 10, Duration.ofSeconds(2)));
    }

    ShipperConfig config(String id, HecConfig hec, int batchSize) {
        return ShipperConfig.builder(id,
                new ShipperConfig.Kafka(TestKafka.bootstrapServers(), topic, group, deadLetterTopic, Map.of()), dir)
                .hec(hec).batching(new ShipperConfig.Batching(batchSize, 1_000_000, Duration.ofMillis(200)))
                .monitoring(new HostPort("127.0.0.1", 0)).build();
    }

    Shipper start(HecConfig hec, int batchSize) throws IOException {
        return start(config("shipper-test", hec, batchSize));
    }

    Shipper start(ShipperConfig config) throws IOException {
        Shipper shipper = Shipper.start(config);
        shippers.add(shipper);
        return shipper;
    }

    /** The number of distinct real frames; {@code produce(0, frames())} publishes each once. */
    int frames() {
        return events.distinctFrames();
    }

    /** Publishes events [from, to) as the collector would, each with its number as connection id. */
    void produce(int from, int to) {
        events.produce(from, to, null);
    }

    /** Like {@link #produce(int, int)}, all to {@code partition} unless it is null. */
    void produce(int from, int to, Integer partition) {
        events.produce(from, to, partition);
    }

    /** Like {@link #produce(int, int, Integer)}, each record timestamped {@code at}. */
    void produceAt(int from, int to, Integer partition, java.time.Instant at) {
        events.produce(from, to, partition, at);
    }

    /** Publishes a record with any value, as a collector of the same schema would. */
    void send(Integer partition, byte[] value) {
        events.send(partition, value);
    }

    /** Publishes event {@code number} keyed by its DNS transaction, as the collector's {@code --partition-key transaction}. */
    void sendKeyed(long number) {
        events.sendKeyed(number);
    }

    /** The same, the record timestamped {@code at}. */
    void sendKeyed(long number, java.time.Instant at) {
        events.sendKeyed(number, at);
    }

    void flush() {
        events.flush();
    }

    Map<TopicPartition, Long> committed() {
        return TestKafka.committed(group, topic);
    }

    Map<TopicPartition, Long> endOffsets() {
        return TestKafka.endOffsets(topic);
    }

    static HttpResponse<String> get(Shipper shipper, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + shipper.monitoringPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<Long> ids(List<JsonNode> hecEvents) {
        return NumberedEvents.numbers(hecEvents);
    }

    static List<Long> range(int from, int to) {
        return NumberedEvents.range(from, to);
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    static DnstapEvent parse(byte[] value) {
        try {
            return DnstapEvent.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        shippers.forEach(Shipper::close);
        events.close();
    }
}
