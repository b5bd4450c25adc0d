package io.dnstapforwarder.shipper.deadletter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Puts records that cannot be delivered (HEC rejected the data, or the record does not decode)
 * on the dead-letter topic, with the headers of {@link DeadLetterHeaders}. Returns only once
 * Kafka has them, so their offsets can then be committed; or fails after a timeout, so that a
 * dead-letter topic that does not take records (no leader, no authorization) is seen, not waited
 * on in silence.
 */
public final class DeadLetterPublisher implements AutoCloseable {

    /** How long Kafka may take to acknowledge a dead letter before the attempt counts as failed. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String shipperId;
    private final Duration timeout;

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, String shipperId) {
        this(producer, topic, shipperId, DEFAULT_TIMEOUT);
    }

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, String shipperId, Duration timeout) {
        this.producer = producer;
        this.topic = topic;
        this.shipperId = shipperId;
        this.timeout = timeout;
    }

    public String topic() {
        return topic;
    }

    /**
     * Publishes the records and waits until Kafka acknowledged all of them, at most the timeout.
     *
     * @throws DeadLetterException when Kafka refused a record or did not acknowledge it in time
     */
    public void publish(List<ConsumerRecord<byte[], byte[]>> records, DeadLetterReason reason) throws InterruptedException {
        List<Future<?>> sent = new ArrayList<>(records.size());
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, (Integer) null, record.key(), record.value(),
                        DeadLetterHeaders.of(record, reason, shipperId))));
            }
            for (Future<?> future : sent) {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            throw new DeadLetterException(topic + " refused a record: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new DeadLetterException(topic + " did not acknowledge a record within " + timeout.toSeconds() + " s", e);
        } catch (KafkaException e) {
            throw new DeadLetterException(topic + " refused a record: " + e, e);
        }
    }

    /** The dead-letter topic did not take records: they are still the shipper's to keep. */
    public static final class DeadLetterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DeadLetterException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Closes the producer within {@link #CLOSE_TIMEOUT}. Nothing is pending that matters: every
     * publish waited for Kafka's acknowledgement, and a record whose publish failed was not
     * committed, so it is read again after a restart. (The producer's own delivery timeout is
     * unbounded, and its {@code close()} would wait that long for a broker that went away.)
     */
    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }
}
