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

    /** Header names on dead-letter records, all starting with {@value #PREFIX}. */
    public static final String PREFIX = "dlq.";
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

    /**
     * Publishes the records and waits until Kafka acknowledged all of them. A record that comes
     * from the dead-letter topic itself (a redrive that failed again) keeps its original source and
     * first failure, and counts one attempt more.
     */
    public void publish(List<ConsumerRecord<byte[], byte[]>> records, Failure failure) throws InterruptedException {
        List<Future<?>> sent = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            List<Header> headers = originalHeaders(record);
            boolean again = record.headers().lastHeader(SOURCE_TOPIC) != null;
            headers.add(header(REASON, failure.reason()));
            headers.add(header(ERROR_CODE, failure.errorCode()));
            headers.add(again ? record.headers().lastHeader(SOURCE_TOPIC) : header(SOURCE_TOPIC, record.topic()));
            headers.add(again ? record.headers().lastHeader(SOURCE_PARTITION)
                    : header(SOURCE_PARTITION, Integer.toString(record.partition())));
            headers.add(again ? record.headers().lastHeader(SOURCE_OFFSET)
                    : header(SOURCE_OFFSET, Long.toString(record.offset())));
            Header first = record.headers().lastHeader(FIRST_FAILURE);
            headers.add(again && first != null ? first : header(FIRST_FAILURE, failure.firstFailure().toString()));
            headers.add(header(ATTEMPTS, Integer.toString(previousAttempts(record) + failure.attempts())));
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

    /** The headers of a record without those the dead-letter topic added: what to put back on the main topic. */
    public static List<Header> originalHeaders(ConsumerRecord<byte[], byte[]> record) {
        List<Header> headers = new ArrayList<>();
        record.headers().forEach(header -> {
            if (!header.key().startsWith(PREFIX)) {
                headers.add(header);
            }
        });
        return headers;
    }

    private static int previousAttempts(ConsumerRecord<byte[], byte[]> record) {
        Header attempts = record.headers().lastHeader(ATTEMPTS);
        try {
            return attempts == null ? 0 : Integer.parseInt(new String(attempts.value(), StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return 0;
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
