package io.dnstapforwarder.shipper.deliver;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Puts records that cannot be delivered (HEC rejected the data, or the record does not decode)
 * on the dead-letter topic: the original value and headers, plus headers saying why, from where
 * and when. Returns only once Kafka has them, so their offsets can then be committed.
 */
public final class DeadLetterPublisher implements AutoCloseable {

    /** Header names on dead-letter records. */
    public static final String REASON = "dlq.reason";
    public static final String ERROR_CODE = "dlq.error.code";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String FIRST_FAILURE = "dlq.first.failure";
    public static final String ATTEMPTS = "dlq.attempts";
    public static final String SHIPPER = "dlq.shipper";

    /** Why a record is dead-lettered. */
    public record Failure(String reason, String errorCode, Instant firstFailure, int attempts) {
    }

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
    public void publish(List<ConsumerRecord<byte[], byte[]>> records, Failure failure) throws InterruptedException {
        List<Future<?>> sent = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            List<Header> headers = new ArrayList<>();
            record.headers().forEach(headers::add);
            headers.add(header(REASON, failure.reason()));
            headers.add(header(ERROR_CODE, failure.errorCode()));
            headers.add(header(SOURCE_TOPIC, record.topic()));
            headers.add(header(SOURCE_PARTITION, Integer.toString(record.partition())));
            headers.add(header(SOURCE_OFFSET, Long.toString(record.offset())));
            headers.add(header(FIRST_FAILURE, failure.firstFailure().toString()));
            headers.add(header(ATTEMPTS, Integer.toString(failure.attempts())));
            headers.add(header(SHIPPER, shipperId));
            sent.add(producer.send(new ProducerRecord<>(topic, (Integer) null, record.key(), record.value(), headers)));
        }
        for (Future<?> future : sent) {
            try {
                future.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the dead-letter topic " + topic + " did not take a record", e.getCause());
            }
        }
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close();
    }
}
