package io.dnstapforwarder.shipper;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.TestData;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

/**
 * What the shipper tests share: a fresh topic of {@value #PARTITIONS} partitions with its
 * dead-letter topic and group on the test broker, real Unbound frames to publish (each record with
 * its index as connection id, so deliveries can be checked event by event), shippers started and
 * closed, and the group's committed offsets.
 */
final class ShipperHarness implements AutoCloseable {

    static final int PARTITIONS = 3;

    final String topic;
    final String deadLetterTopic;
    final String group;
    final List<byte[]> frames;
    private final Path dir;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<Shipper> shippers = new ArrayList<>();

    ShipperHarness(Path dir) throws Exception {
        this.dir = dir;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = TestKafka.createTopic(TestKafka.uniqueTopic("events"), PARTITIONS);
        this.deadLetterTopic = TestKafka.createTopic(TestKafka.uniqueTopic("dlq"), 1);
        this.group = TestKafka.uniqueTopic("group");
        this.frames = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
    }

    /** HEC at {@code url} with short retry delays and breaker pauses, so that outages take seconds. */
    static ShipperConfig.Hec fastHec(URI url, String token) {
        return ShipperConfig.Hec.to(url, token).withRetries(Duration.ofMillis(20), Duration.ofMillis(300), 3)
                .withBreaker(new ShipperConfig.Breaker(true, 50, 10, Duration.ofSeconds(2)));
    }

    ShipperConfig config(String id, ShipperConfig.Hec hec, int batchSize) {
        return new ShipperConfig(id, hec, new ShipperConfig.Batching(batchSize, 1_000_000, Duration.ofMillis(200)),
                new ShipperConfig.Kafka(TestKafka.bootstrapServers(), topic, group, deadLetterTopic, Map.of()), dir,
                new HostPort("127.0.0.1", 0));
    }

    Shipper start(ShipperConfig.Hec hec, int batchSize) throws IOException {
        return start(config("shipper-test", hec, batchSize));
    }

    Shipper start(ShipperConfig config) throws IOException {
        Shipper shipper = Shipper.start(config);
        shippers.add(shipper);
        return shipper;
    }

    /** Publishes frames [from, to) as the collector would, each with its index as connection id. */
    void produce(int from, int to) {
        produce(from, to, null);
    }

    /** Like {@link #produce(int, int)}, all to {@code partition} unless it is null. */
    void produce(int from, int to, Integer partition) {
        for (int i = from; i < to; i++) {
            send(partition, event(i).toByteArray());
        }
        producer.flush();
    }

    DnstapEvent event(int id) {
        return DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frames.get(id % frames.size())))
                .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("c").setConnectionId(id)
                .setTransport(Transport.UNIX).setPeerAddress("/s").setReceivedAtNs(1).build();
    }

    /** Publishes a record with any value, as a collector of the same schema would. */
    void send(Integer partition, byte[] value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, null, value);
        record.headers().add(DnstapEvents.SCHEMA_HEADER, DnstapEvents.SCHEMA.getBytes(StandardCharsets.UTF_8));
        producer.send(record);
    }

    void flush() {
        producer.flush();
    }

    Map<TopicPartition, Long> committed() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> result = new HashMap<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, partition));
                result.put(new TopicPartition(topic, partition), offset == null ? 0L : offset.offset());
            }
            return result;
        }
    }

    Map<TopicPartition, Long> endOffsets() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    static HttpResponse<String> get(Shipper shipper, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + shipper.monitoringPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<Long> ids(List<JsonNode> events) {
        return events.stream().map(event -> event.at("/event/connection_id").asLong()).toList();
    }

    static List<Long> range(int from, int to) {
        return LongStream.range(from, to).boxed().toList();
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
        producer.close();
    }
}
