package io.dnstapforwarder.testkit;

import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A real Kafka broker for tests: Testcontainers' Kafka when a Docker engine answers, otherwise a
 * single-node KRaft broker inside the test JVM ({@link EmbeddedKafka}). One broker is shared by
 * all tests of a JVM (tests keep apart by using their own topics and groups); it stops when the
 * JVM exits. {@code DNSTAP_TEST_KAFKA=embedded} skips the Docker probe.
 */
public final class TestKafka {

    private static final Logger log = LoggerFactory.getLogger(TestKafka.class);
    private static final String IMAGE = "apache/kafka:4.1.0";

    private static String sharedBootstrap;

    private TestKafka() {
    }

    /** Bootstrap servers of the broker shared by this JVM, started on first use. */
    public static synchronized String bootstrapServers() {
        if (sharedBootstrap == null) {
            sharedBootstrap = startShared();
        }
        return sharedBootstrap;
    }

    /** A topic name no other test uses. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a topic on the shared broker and returns its name. */
    public static String createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            return name;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topic " + name, e);
        }
    }

    /**
     * Reads a topic from the beginning, all partitions, without a consumer group, until
     * {@code expected} records arrived or {@code timeout} passed; returns what arrived.
     */
    public static List<ConsumerRecord<byte[], byte[]>> read(String topic, int expected, Duration timeout) {
        return read(bootstrapServers(), topic, expected, timeout);
    }

    /** The same, from another broker. */
    public static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, int expected, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** The group's committed offset of every partition of the topic; 0 where it committed none. */
    public static Map<TopicPartition, Long> committed(String group, String topic) {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> committed = new HashMap<>();
            for (TopicPartition partition : partitions(admin, topic)) {
                OffsetAndMetadata offset = offsets.get(partition);
                committed.put(partition, offset == null ? 0L : offset.offset());
            }
            return committed;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the offsets of group " + group, e);
        }
    }

    /** The end offset of every partition of the topic: where a group that consumed everything has committed. */
    public static Map<TopicPartition, Long> endOffsets(String topic) {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions(admin, topic).forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((partition, info) ->
                    ends.put(partition, info.offset()));
            return ends;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e);
        }
    }

    private static List<TopicPartition> partitions(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                .stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    }

    private static String startShared() {
        if (!"embedded".equals(System.getenv("DNSTAP_TEST_KAFKA")) && DockerClientFactory.instance().isDockerAvailable()) {
            KafkaContainer container = new KafkaContainer(IMAGE);
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-kafka-stop"));
            log.info("Test Kafka: container {} at {}", IMAGE, container.getBootstrapServers());
            return container.getBootstrapServers();
        }
        Path dataDir = tempDir();
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, "127.0.0.1", 0, Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            TempFiles.deleteRecursively(dataDir);
        }, "test-kafka-stop"));
        log.info("Test Kafka: no Docker engine, in-process KRaft broker at {}", kafka.bootstrapServers());
        return kafka.bootstrapServers();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("test-kafka");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
