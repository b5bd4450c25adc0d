package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static io.dnstapforwarder.shipper.ShipperHarness.get;
import static io.dnstapforwarder.shipper.ShipperHarness.ids;
import static io.dnstapforwarder.shipper.ShipperHarness.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.testkit.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Shippers in one consumer group under load: they share the partitions, and members coming and going lose nothing. */
@Timeout(240)
class ShipperGroupTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int BATCH = 100;

    @Test
    void twoShippersShareThePartitionsAndAThirdJoiningAndLeavingLosesNothing() throws Exception {
        AtomicInteger produced = new AtomicInteger();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        // 100 events every 50 ms (2,000/s) while the group changes, at most 100,000 in all.
        load.scheduleAtFixedRate(() -> {
            int from = produced.get();
            if (from < 100_000) {
                harness.produce(from, from + 100);
                produced.addAndGet(100);
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
        int rebalances = 2;
        try {
            Shipper first = harness.start(harness.config("shipper-1", fastHec(hec.url(), TOKEN), BATCH));
            Shipper second = harness.start(harness.config("shipper-2", fastHec(hec.url(), TOKEN), BATCH));
            await().atMost(WAIT).untilAsserted(() -> {
                List<String> a = partitions(first);
                List<String> b = partitions(second);
                assertThat(a).isNotEmpty();
                assertThat(b).isNotEmpty();
                assertThat(a).doesNotContainAnyElementsOf(b);
                assertThat(a.size() + b.size()).isEqualTo(ShipperHarness.PARTITIONS);
            });
            await().atMost(WAIT).until(() -> sent(first) > 0 && sent(second) > 0);

            Shipper third = harness.start(harness.config("shipper-3", fastHec(hec.url(), TOKEN), BATCH));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(partitions(third)).hasSize(1);
                assertThat(partitions(first)).hasSize(1);
                assertThat(partitions(second)).hasSize(1);
            });
            await().atMost(WAIT).until(() -> sent(third) > 0);
            third.close();
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(partitions(first).size() + partitions(second).size()).isEqualTo(ShipperHarness.PARTITIONS));
        } finally {
            load.shutdown();
            assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        harness.flush();

        int total = produced.get();
        await().atMost(WAIT).until(() -> new HashSet<>(ids(hec.events())).size() == total);
        List<Long> delivered = ids(hec.events());
        assertThat(new HashSet<>(delivered)).containsExactlyInAnyOrderElementsOf(range(0, total));
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
        // Each rebalance may send again what was in flight for the partitions that moved: at most
        // two batches per worker of each of them, plus the batch being filled.
        int inFlightBound = (4 * 2 + 1) * BATCH * ShipperHarness.PARTITIONS;
        assertThat(delivered.size() - total).as("duplicates").isLessThanOrEqualTo(rebalances * inFlightBound);
    }

    private static List<String> partitions(Shipper shipper) throws Exception {
        List<String> partitions = new ArrayList<>();
        stats(shipper).get("partitions").forEach(node -> partitions.add(node.asText()));
        return partitions;
    }

    private static double sent(Shipper shipper) throws Exception {
        return get(shipper, "/metrics").body().lines().filter(line -> line.startsWith("component_sent_events_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static JsonNode stats(Shipper shipper) throws Exception {
        return Json.exactDecimals().readTree(get(shipper, "/stats").body());
    }
}
