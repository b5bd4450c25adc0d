package io.dnstapforwarder.shipper.deadletter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Puts records that cannot be delivered (HEC rejected the data, or the record does not decode)
 * on the dead-letter topic, with the headers of {@link DeadLetterHeaders}. Returns only once
 * Kafka has them, so their offsets can then be committed.
 */
public final class DeadLetterPublisher implements AutoCloseable {

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String shipperId;

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, String shipperId) {
        this.producer = producer;
        this.topic = topic;
        this.shipperId = shipperId;
    }

    public String topic() {
        return topic;
    }

    /** Publishes the records and waits until Kafka acknowledged all of them. */
    public void publish(List<ConsumerRecord<byte[], byte[]>> records, DeadLetterReason reason) throws InterruptedException {
        List<Future<?>> sent = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            sent.add(producer.send(new ProducerRecord<>(topic, (Integer) null, record.key(), record.value(),
                    DeadLetterHeaders.of(record, reason, shipperId))));
        }
        for (Future<?> future : sent) {
            try {
                future.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the dead-letter topic " + topic + " did not take a record", e.getCause());
            }
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
