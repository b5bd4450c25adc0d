package io.dnstapforwarder.shipper.deadletter;

import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;

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
    private final Time time;

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, String shipperId) {
        this(producer, topic, shipperId, DEFAULT_TIMEOUT);
    }

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, String shipperId, Duration timeout) {
        this(producer, topic, shipperId, timeout, Time.SYSTEM);
    }

    /** @param time the clock of the publish deadline */
    public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, String shipperId, Duration timeout,
            Time time) {
        this.time = time;
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
     * A record too large for the dead-letter topic (or for the producer's request size) goes
     * without its value, a header saying so: the original stays on its topic, at the offset the
     * headers name, for as long as that topic keeps it. So a dead letter never waits for a size
     * that can never fit.
     *
     * @throws DeadLetterException when Kafka refused a record or did not acknowledge it in time
     */
    public void publish(List<ConsumerRecord<byte[], byte[]>> records, DeadLetterReason reason) throws InterruptedException {
        List<Future<?>> sent = new ArrayList<>(records.size());
        long deadline = time.nanoTime() + timeout.toNanos();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            sent.add(send(record, DeadLetterHeaders.of(record, reason, shipperId), record.value()));
        }
        for (int i = 0; i < sent.size(); i++) {
            try {
                await(sent.get(i), deadline);
            } catch (DeadLetterException e) {
                if (!(e.getCause() instanceof RecordTooLargeException)) {
                    throw e;
                }
                publishSmaller(records.get(i), reason, deadline);
            }
        }
    }

    /** First without the stack trace (a fault's 8 KiB of it); if that is still too large, without the value. */
    private void publishSmaller(ConsumerRecord<byte[], byte[]> record, DeadLetterReason reason, long deadline)
            throws InterruptedException {
        List<Header> headers = DeadLetterHeaders.of(record, reason, shipperId);
        headers.removeIf(header -> header.key().equals(DeadLetterHeaders.EXCEPTION_STACKTRACE));
        try {
            await(send(record, headers, record.value()), deadline);
            return;
        } catch (DeadLetterException e) {
            if (!(e.getCause() instanceof RecordTooLargeException)) {
                throw e;
            }
        }
        headers.add(DeadLetterHeaders.valueOmitted(record));
        await(send(record, headers, null), deadline);
    }

    private Future<?> send(ConsumerRecord<byte[], byte[]> record, List<Header> headers, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, (Integer) null, record.key(), value, headers));
        } catch (KafkaException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void await(Future<?> sent, long deadline) throws InterruptedException {
        try {
            sent.get(Math.max(0, deadline - time.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new DeadLetterException(topic + " refused a record: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new DeadLetterException(topic + " did not acknowledge a record within " + timeout.toSeconds() + " s", e);
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
