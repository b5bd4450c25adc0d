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
    void commitsOnlyUpToTheFirstBatchNotYetDoneHoweverOutOfOrderBatchesFinish() {
        readAndBatch(P0, 10, 14);
        readAndBatch(P0, 15, 19);
        readAndBatch(P0, 20, 24);

        ledger.done(P0, 20, ledger.epoch(P0));
        ledger.done(P0, 15, ledger.epoch(P0));
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(10)));

        ledger.done(P0, 10, ledger.epoch(P0));
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(25)));
        assertThat(ledger.batchesInFlight()).isZero();
    }

    @Test
    void neverCommitsPastRecordsStillWaitingInTheBatcher() {
        readAndBatch(P0, 0, 4);
        ledger.position(P0).read(5, true);
        ledger.position(P0).read(6, true);
        ledger.done(P0, 0, ledger.epoch(P0));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(5)));

        ledger.batched(P0, 5, 6);
        ledger.done(P0, 5, ledger.epoch(P0));
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(7)));
    }

    @Test
    void aRecordReadIntoTheNextBatchBeforeThisOneClosedIsStillWaited() {
        ledger.position(P0).read(0, true);
        ledger.position(P0).read(1, true); // pushed batch [0] over its byte limit: it starts the next batch
        ledger.batched(P0, 0, 0);
        ledger.done(P0, 0, ledger.epoch(P0));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(1)));
    }

    @Test
    void skippedRecordsAreDoneAtOnceAndGapsInOffsetsArePassed() {
        readAndBatch(P0, 3, 3);
        ledger.position(P0).read(7, false); // offsets 4-6 are transaction markers or compacted away; 7 is outside a replay's time
        ledger.done(P0, 3, ledger.epoch(P0));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(8)));
    }

    @Test
    void offersAnOffsetOnceUntilItMovesAgain() {
        readAndBatch(P0, 0, 0);
        ledger.done(P0, 0, ledger.epoch(P0));
        Map<TopicPartition, OffsetAndMetadata> first = ledger.committable();
        ledger.committed(first);

        assertThat(ledger.committable()).isEmpty();
        readAndBatch(P0, 1, 1);
        assertThat(ledger.committable()).isEmpty();
        ledger.done(P0, 1, ledger.epoch(P0));
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(2)));
    }

    @Test
    void ignoresALateCompletionFromAnEarlierAssignmentOfThePartition() {
        readAndBatch(P0, 5, 5);
        long firstAssignment = ledger.epoch(P0);
        ledger.forget(List.of(P0));
        readAndBatch(P0, 5, 5); // assigned back; offset 5 is consumed again

        ledger.done(P0, 5, firstAssignment);

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(5)));
        ledger.done(P0, 5, ledger.epoch(P0));
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(6)));
    }

    @Test
    void keepsPartitionsApartAndForgetsRevokedOnes() {
        readAndBatch(P0, 0, 0);
        readAndBatch(P1, 0, 0);
        ledger.done(P1, 0, ledger.epoch(P1));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(0), P1, offset(1)));
        long oldEpoch = ledger.epoch(P1);
        ledger.forget(List.of(P1));
        ledger.done(P1, 0, oldEpoch); // a late completion for a partition now owned elsewhere
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(0)));
    }

    @Test
    void neverCommitsPastAHeldRecordHoweverFarBatchesAfterItGot() {
        OffsetLedger.Hold query = ledger.position(P0).hold(10); // a query waiting for its response
        readAndBatch(P0, 11, 19);
        ledger.done(P0, 11, ledger.epoch(P0));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(10)));

        // Its response came at 20 and both went out in the batch of [20, 24]: settled, the hold goes.
        readAndBatch(P0, 20, 24);
        ledger.done(P0, 20, ledger.epoch(P0));
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(10)));
        query.release();
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(25)));
    }

    @Test
    void holdsReleasedOutOfOrderKeepTheCommitAtTheFirstStillHeld() {
        OffsetLedger.Hold first = ledger.position(P0).hold(0);
        OffsetLedger.Hold second = ledger.position(P0).hold(1);
        OffsetLedger.Hold third = ledger.position(P0).hold(2);

        second.release();
        third.release();
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(0)));

        first.release();
        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(3)));
    }

    @Test
    void aHoldOfAPartitionNoLongerOwnedChangesNothingWhenReleased() {
        OffsetLedger.Hold stale = ledger.position(P0).hold(5);
        ledger.forget(List.of(P0));
        ledger.position(P0).hold(7); // owned again: a new epoch, read again from the committed offset

        stale.release();

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(7)));
    }

    @Test
    void heldRecordsReadBeforeABatchClosedAreNoBatchsSoTheirReleaseLetsTheCommitPass() {
        ledger.position(P0).read(0, true);
        ledger.position(P0).read(1, true);
        OffsetLedger.Hold query = ledger.position(P0).hold(2); // read while [0, 1] waited for its flush
        OffsetLedger.Hold response = ledger.position(P0).hold(3);
        ledger.batched(P0, 0, 1); // the flush interval closed it
        ledger.done(P0, 0, ledger.epoch(P0));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(2)));
        query.release();
        response.release(); // their transaction was settled

        assertThat(ledger.committable()).as("nothing waits any more").isEqualTo(Map.of(P0, offset(4)));
    }

    @Test
    void aBatchClosedByTheRecordThatDidNotFitStillWaitsForThatRecordPastHeldOnes() {
        ledger.position(P0).read(0, true);
        ledger.position(P0).hold(1).release();
        ledger.position(P0).read(2, true); // did not fit: it closes [0] and begins the next batch
        ledger.batched(P0, 0, 0);
        ledger.done(P0, 0, ledger.epoch(P0));

        assertThat(ledger.committable()).isEqualTo(Map.of(P0, offset(2)));
    }

    private void readAndBatch(TopicPartition partition, long first, long last) {
        for (long offset = first; offset <= last; offset++) {
            ledger.position(partition).read(offset, true);
        }
        ledger.batched(partition, first, last);
    }

    private static OffsetAndMetadata offset(long offset) {
        return new OffsetAndMetadata(offset);
    }
}
