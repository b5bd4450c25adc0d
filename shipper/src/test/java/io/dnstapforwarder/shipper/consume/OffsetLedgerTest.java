package io.dnstapforwarder.shipper.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);
    private final OffsetLedger ledger = new OffsetLedger();

    @Test
    void commitsOnlyUpToTheFirstRecordNotYetDone() {
        for (long offset = 10; offset < 15; offset++) {
            ledger.track(P0, offset);
        }
        ledger.done(P0, 10, ledger.epoch(P0));
        ledger.done(P0, 11, ledger.epoch(P0));
        ledger.done(P0, 13, ledger.epoch(P0));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(12)));
        assertThat(ledger.inFlight()).isEqualTo(2);
    }

    @Test
    void commitsPastTheLastRecordWhenAllAreDoneEvenWithGapsInOffsets() {
        ledger.track(P0, 3);
        ledger.track(P0, 7); // offsets 4-6 are transaction markers or compacted away
        ledger.done(P0, 7, ledger.epoch(P0));
        ledger.done(P0, 3, ledger.epoch(P0));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(8)));
    }

    @Test
    void offersAnOffsetOnceUntilItMovesAgain() {
        ledger.track(P0, 0);
        ledger.done(P0, 0, ledger.epoch(P0));
        Map<TopicPartition, OffsetAndMetadata> first = ledger.committable();
        ledger.committed(first);

        assertThat(ledger.committable()).isEmpty();
        ledger.track(P0, 1);
        assertThat(ledger.committable()).isEmpty();
        ledger.done(P0, 1, ledger.epoch(P0));
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(2)));
    }

    @Test
    void ignoresALateCompletionFromAnEarlierAssignmentOfThePartition() {
        ledger.track(P0, 5);
        long firstAssignment = ledger.epoch(P0);
        ledger.forget(List.of(P0));
        ledger.track(P0, 5); // assigned back; offset 5 is consumed again

        ledger.done(P0, 5, firstAssignment);

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(5)));
        ledger.done(P0, 5, ledger.epoch(P0));
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(6)));
    }

    @Test
    void keepsPartitionsApartAndForgetsRevokedOnes() {
        ledger.track(P0, 0);
        ledger.track(P1, 0);
        ledger.done(P1, 0, ledger.epoch(P1));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(0), P1, new OffsetAndMetadata(1)));
        long oldEpoch = ledger.epoch(P1);
        ledger.forget(List.of(P1));
        ledger.done(P1, 0, oldEpoch); // a late completion for a partition now owned elsewhere
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(0)));
    }
}
