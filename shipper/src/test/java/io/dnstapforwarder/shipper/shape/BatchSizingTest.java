package io.dnstapforwarder.shipper.shape;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.metrics.ComponentMetrics;
import org.junit.jupiter.api.Test;

/** Batches take as many more records as shaping drops, so that a request still carries about --batch-size events. */
class BatchSizingTest {

    private final DropCounters counts = new DropCounters(new ComponentMetrics(ComponentMetrics.newPrometheusRegistry(),
            "shipper", "s"));
    private final BatchSizing sizing = new BatchSizing(1_000, counts);

    @Test
    void takesBatchSizeRecordsUntilItHasSeenAWindowOfThem() {
        record(10, 90);

        assertThat(sizing.getAsInt()).isEqualTo(1_000);
    }

    @Test
    void followsTheShareKeptLatelyWithinOneAndTenTimesTheBatchSize() {
        record(2_000, 18_000); // 1 in 10 kept
        assertThat(sizing.getAsInt()).isEqualTo(10_000);

        record(10_000, 10_000); // then half
        assertThat(sizing.getAsInt()).isEqualTo(2_000);

        record(20_000, 0); // then every record
        assertThat(sizing.getAsInt()).isEqualTo(1_000);

        record(0, 20_000); // then none: at most ten times
        assertThat(sizing.getAsInt()).isEqualTo(10_000);
    }

    private void record(int kept, int dropped) {
        for (int i = 0; i < kept; i++) {
            counts.countKept();
        }
        for (int i = 0; i < dropped; i++) {
            counts.dropped(ShapingRules.Drop.SAMPLED);
        }
    }
}
