package io.dnstapforwarder.shipper.consume;

import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** The shipper as a member of its consumer group: the group's partitions of the topic, every record, for ever. */
public final class GroupSubscription implements Subscription {

    private final String topic;

    public GroupSubscription(String topic) {
        this.topic = topic;
    }

    @Override
    public void start(Consumer<byte[], byte[]> consumer, Owner owner) {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                owner.revoked(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                owner.lost(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                owner.assigned(partitions);
            }
        });
    }

    @Override
    public Admission admit(ConsumerRecord<byte[], byte[]> record) {
        return Admission.DELIVER;
    }

    @Override
    public Collection<TopicPartition> resumable(Collection<TopicPartition> paused) {
        return paused;
    }

    @Override
    public boolean readToEnd(Consumer<byte[], byte[]> consumer) {
        return false;
    }

    @Override
    public String toString() {
        return "group member on " + topic;
    }
}
