package io.dnstapforwarder.shipper.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The contract of a dead-letter record: the original value and headers, plus {@code dlq.*}
 * headers saying why, from where and when. The one place that writes and reads them.
 */
public final class DeadLetterHeaders {

    /** Every header the dead-letter topic adds starts with this. */
    public static final String PREFIX = "dlq.";
    public static final String REASON = "dlq.reason";
    public static final String ERROR_CODE = "dlq.error.code";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String FIRST_FAILURE = "dlq.first.failure";
    public static final String ATTEMPTS = "dlq.attempts";
    public static final String SHIPPER = "dlq.shipper";
    /** With a fault of the shipper's own: the exception's class, message and stack trace. */
    public static final String EXCEPTION_CLASS = "dlq.exception.class";
    public static final String EXCEPTION_MESSAGE = "dlq.exception.message";
    public static final String EXCEPTION_STACKTRACE = "dlq.exception.stacktrace";
    /**
     * Set when the record was too large for the dead-letter topic and went without its value:
     * how large it was. The original is at {@link #SOURCE_TOPIC}, {@link #SOURCE_PARTITION},
     * {@link #SOURCE_OFFSET} for as long as that topic keeps it.
     */
    public static final String VALUE_OMITTED = "dlq.value.omitted";

    private DeadLetterHeaders() {
    }

    /**
     * The headers of {@code record} as a dead letter. A record that comes from the dead-letter
     * topic itself (a redrive that failed again) keeps its original source and first failure, and
     * counts one attempt more.
     */
    static List<Header> of(ConsumerRecord<byte[], byte[]> record, DeadLetterReason reason, String shipperId) {
        List<Header> headers = original(record);
        Header sourceTopic = record.headers().lastHeader(SOURCE_TOPIC);
        boolean again = sourceTopic != null;
        headers.add(header(REASON, reason.reason()));
        headers.add(header(ERROR_CODE, reason.errorCode()));
        headers.add(again ? sourceTopic : header(SOURCE_TOPIC, record.topic()));
        headers.add(again ? record.headers().lastHeader(SOURCE_PARTITION)
                : header(SOURCE_PARTITION, Integer.toString(record.partition())));
        headers.add(again ? record.headers().lastHeader(SOURCE_OFFSET)
                : header(SOURCE_OFFSET, Long.toString(record.offset())));
        Header first = record.headers().lastHeader(FIRST_FAILURE);
        headers.add(again && first != null ? first : header(FIRST_FAILURE, reason.firstFailure().toString()));
        headers.add(header(ATTEMPTS, Integer.toString(previousAttempts(record) + reason.attempts())));
        headers.add(header(SHIPPER, shipperId));
        if (reason.cause() != null) {
            headers.add(header(EXCEPTION_CLASS, reason.cause().getClass().getName()));
            headers.add(header(EXCEPTION_MESSAGE, String.valueOf(reason.cause().getMessage())));
            headers.add(header(EXCEPTION_STACKTRACE, reason.stackTrace()));
        }
        return headers;
    }

    /** The header of a dead letter that goes without its value, too large for the topic. */
    static Header valueOmitted(ConsumerRecord<byte[], byte[]> record) {
        int size = record.value() == null ? 0 : record.value().length;
        return header(VALUE_OMITTED, size + " bytes with the headers were more than the dead-letter topic takes; the record "
                + "is at the source topic, partition and offset of these headers while that topic keeps it");
    }

    /** The headers of a record without those the dead-letter topic added: what to put back on the main topic. */
    public static List<Header> original(ConsumerRecord<byte[], byte[]> record) {
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
}
