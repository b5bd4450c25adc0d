package io.dnstapforwarder.shipper.consume;

import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * How the {@link ShipperLoop} gets its partitions and what it reads of them: as a member of the
 * consumer group, following the topic for ever ({@link GroupSubscription}); or, for a bounded run
 * (replay, redrive), every partition over a time range, ending once it is read
 * ({@link RangeSubscription}).
 */
interface Subscription {

    /** What the loop does with a record it polled. */
    enum Admission {
        /** Deliver it. */
        DELIVER,
        /** Inside the partition's offsets but not wanted: done at once, never delivered. */
        SKIP,
        /** Past what the run reads: the partition is read to its end and is paused. */
        PAST_END
    }

    /** The loop's side of partition ownership; called on the loop's thread. */
    interface Owner {
        /** The partitions are the loop's now. */
        void assigned(Collection<TopicPartition> partitions);

        /** The partitions go to another member: deliver what can be, commit, forget them. */
        void revoked(Collection<TopicPartition> partitions);

        /** The partitions are already another member's: forget them. */
        void lost(Collection<TopicPartition> partitions);
    }

    /** Starts reading: joins the group, or assigns and positions the range's partitions. */
    void start(Consumer<byte[], byte[]> consumer, Owner owner);

    Admission admit(ConsumerRecord<byte[], byte[]> record);

    /** Of the paused partitions, those to resume once consumption may go on. */
    Collection<TopicPartition> resumable(Collection<TopicPartition> paused);

    /** True once everything the subscription reads has been read; a group member never is. */
    boolean readToEnd(Consumer<byte[], byte[]> consumer);
}
