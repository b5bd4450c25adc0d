package io.dnstapforwarder.shipper.deadletter;

import io.dnstapforwarder.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operations on the dead-letter topic once the cause of its records is fixed: put them back on the
 * main topic (the shippers then deliver them as any other event), and empty it of what was
 * redriven.
 */
public final class DeadLetterTopic {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterTopic.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final String bootstrap;
    private final Map<String, String> properties;
    private final String deadLetterTopic;
    private final String mainTopic;

    /**
     * @param bootstrap the cluster
     * @param properties Kafka client properties (security and the like)
     * @param mainTopic where {@link #copyBack} puts the records back
     */
    public DeadLetterTopic(String bootstrap, Map<String, String> properties, String deadLetterTopic, String mainTopic) {
        this.bootstrap = bootstrap;
        this.properties = Map.copyOf(properties);
        this.deadLetterTopic = deadLetterTopic;
        this.mainTopic = mainTopic;
    }

    /**
     * Copies every record the dead-letter topic holds now back to the main topic, with its original
     * value and headers (without the {@code dlq.*} ones), and waits until Kafka has them all.
     *
     * @return per partition, the offset after the last record copied, for {@link #deleteUpTo}
     */
    public Map<TopicPartition, Long> copyBack() throws InterruptedException {
        String clientId = "dnstap-dlq-redrive";
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(bootstrap, clientId,
                properties));
        // Closed with a deadline: the producer's own close waits for every pending send for as long as its
        // (unbounded) delivery timeout, and a copy that failed leaves sends pending.
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, null,
                clientId, properties))) {
            List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic).stream()
                    .map(info -> new TopicPartition(deadLetterTopic, info.partition())).toList();
            Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            consumer.assign(partitions);
            start.forEach(consumer::seek);
            Set<TopicPartition> unfinished = new HashSet<>();
            start.forEach((partition, first) -> {
                if (first < end.get(partition)) {
                    unfinished.add(partition);
                }
            });
            List<Future<?>> sent = new ArrayList<>();
            while (!unfinished.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < end.get(partition)) {
                        sent.add(producer.send(new ProducerRecord<>(mainTopic, null, record.key(), record.value(),
                                DeadLetterHeaders.original(record))));
                    }
                }
                unfinished.removeIf(partition -> consumer.position(partition) >= end.get(partition));
            }
            for (Future<?> future : sent) {
                future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            log.info("Copied {} dead-letter records from {} back to {}", sent.size(), deadLetterTopic, mainTopic);
            return end;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("copying the dead-letter records back to " + mainTopic + " failed; "
                    + "nothing was deleted from " + deadLetterTopic + ", run the command again", e);
        } finally {
            producer.close(CLOSE_TIMEOUT);
        }
    }

    /** Deletes the dead-letter records before the given offsets: those redriven. Records added since stay. */
    public void deleteUpTo(Map<TopicPartition, Long> ends) throws InterruptedException {
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        ends.forEach((partition, end) -> delete.put(partition, RecordsToDelete.beforeOffset(end)));
        try (Admin admin = Admin.create(KafkaSettings.admin(bootstrap, "dnstap-dlq-redrive", properties))) {
            admin.deleteRecords(delete).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            log.info("Deleted the redriven records from {}: offsets before {}", deadLetterTopic, ends);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the records were redriven but deleting them from " + deadLetterTopic
                    + " failed: " + e.getMessage() + "; running the command again would send them again", e);
        }
    }
}
