package io.dnstapforwarder.shipper.batch;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Consumed records of one partition, in offset order, to deliver together. */
public record RecordBatch(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {

    public RecordBatch {
        records = List.copyOf(records);
    }

    public int size() {
        return records.size();
    }

    public long firstOffset() {
        return records.get(0).offset();
    }

    public long lastOffset() {
        return records.get(records.size() - 1).offset();
    }
}
