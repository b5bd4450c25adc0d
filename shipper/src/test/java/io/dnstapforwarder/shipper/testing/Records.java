package io.dnstapforwarder.shipper.testing;

import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.testkit.NumberedEvents;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Kafka records as the collector writes them, built in memory: record {@code n} carries event {@code n}. */
public final class Records {

    public static final String TOPIC = "events";

    private Records() {
    }

    /** The record at {@code offset} of a partition, carrying the event numbered {@code offset}. */
    public static ConsumerRecord<byte[], byte[]> numbered(int partition, long offset) {
        return withValue(partition, offset, NumberedEvents.numbered(offset).toByteArray());
    }

    public static ConsumerRecord<byte[], byte[]> withValue(int partition, long offset, byte[] value) {
        return new ConsumerRecord<>(TOPIC, partition, offset, null, value);
    }

    /** Records {@code [from, to)} of a partition, as one batch. */
    public static RecordBatch batch(int partition, long from, long to) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            records.add(numbered(partition, offset));
        }
        return new RecordBatch(new TopicPartition(TOPIC, partition), records);
    }
}
