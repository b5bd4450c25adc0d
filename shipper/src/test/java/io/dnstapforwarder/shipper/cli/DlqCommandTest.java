package io.dnstapforwarder.shipper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.consume.Bounds;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What a redrive deletes from the dead-letter topic: only what it got through, never the rest of its range. */
class DlqCommandTest {

    private static final TopicPartition P0 = new TopicPartition("dnstap.dlq", 0);
    private static final TopicPartition P1 = new TopicPartition("dnstap.dlq", 1);

    @Test
    void deletesUpToWhatTheRunCommittedAndNeverPastTheEndOfItsRange() {
        Bounds.Range range = new Bounds.Range(Map.of(P0, 10L, P1, 0L), Map.of(P0, 50L, P1, 20L));
        Shipper.Summary summary = new Shipper.Summary(true, range, Map.of(P0, 30L, P1, 25L), 40, 2, null);

        assertThat(DlqCommand.redriven(summary)).isEqualTo(Map.of(P0, 30L, P1, 20L));
    }

    @Test
    void deletesNothingOfAPartitionTheRunNeverCommitted() {
        Bounds.Range range = new Bounds.Range(Map.of(P0, 10L), Map.of(P0, 50L));
        Shipper.Summary summary = new Shipper.Summary(true, range, Map.of(), 0, 0, null);

        assertThat(DlqCommand.redriven(summary)).isEqualTo(Map.of(P0, 10L));
    }
}
