package io.dnstapforwarder.shipper.dlq;

import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.shipper.consume.Bounds;
import io.dnstapforwarder.shipper.deliver.DeadLetterPublisher;
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

    private final ShipperConfig.Kafka kafka;

    /** @param kafka the cluster, the main topic ({@code topic}) and the dead-letter topic */
    public DeadLetterTopic(ShipperConfig.Kafka kafka) {
        this.kafka = kafka;
    }

    /**
     * Copies every record the dead-letter topic holds now back to the main topic, with its original
     * value and headers (without the {@code dlq.*} ones), and waits until Kafka has them all.
     *
     * @return the offsets copied, for {@link #deleteUpTo}
     */
    public Bounds.Range copyBack() throws InterruptedException {
        String clientId = "dnstap-dlq-redrive";
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(kafka.bootstrap(), null,
                clientId, kafka.properties()));
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(kafka.bootstrap(),
                        clientId, kafka.properties()))) {
            Bounds.Range range = Bounds.EVERYTHING.resolve(consumer, kafka.deadLetterTopic());
            consumer.assign(range.start().keySet());
            range.start().forEach(consumer::seek);
            Set<TopicPartition> unfinished = new HashSet<>();
            range.start().forEach((partition, start) -> {
                if (start < range.end().get(partition)) {
                    unfinished.add(partition);
                }
            });
            List<Future<?>> sent = new ArrayList<>();
            while (!unfinished.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < range.end().get(partition)) {
                        sent.add(producer.send(new ProducerRecord<>(kafka.topic(), null, record.key(), record.value(),
                                DeadLetterPublisher.originalHeaders(record))));
                    }
                }
                unfinished.removeIf(partition -> consumer.position(partition) >= range.end().get(partition));
            }
            for (Future<?> future : sent) {
                future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            log.info("Copied {} dead-letter records from {} back to {}", sent.size(), kafka.deadLetterTopic(), kafka.topic());
            return range;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("copying the dead-letter records back to " + kafka.topic() + " failed; "
                    + "nothing was deleted from " + kafka.deadLetterTopic() + ", run the command again", e);
        }
    }

    /** Deletes the dead-letter records before the range's end: those redriven. Records added since stay. */
    public void deleteUpTo(Bounds.Range range) throws InterruptedException {
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        range.end().forEach((partition, end) -> delete.put(partition, RecordsToDelete.beforeOffset(end)));
        try (Admin admin = Admin.create(KafkaSettings.admin(kafka.bootstrap(), "dnstap-dlq-redrive", kafka.properties()))) {
            admin.deleteRecords(delete).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            log.info("Deleted the redriven records from {}: offsets before {}", kafka.deadLetterTopic(), range.end());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the records were redriven but deleting them from " + kafka.deadLetterTopic()
                    + " failed: " + e.getMessage() + "; running the command again would send them again", e);
        }
    }
}
