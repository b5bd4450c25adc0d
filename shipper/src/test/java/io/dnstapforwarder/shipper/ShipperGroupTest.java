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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * Shippers in one consumer group under load: they share the partitions, members coming and going
 * lose nothing, and a member that stays loses only the partitions that move away from it.
 */
@Timeout(240)
class ShipperGroupTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int BATCH = 100;

    /**
     * {@code auto}: what the shipper chooses on this broker (KIP-848's consumer protocol);
     * {@code classic}: what it uses where the cluster lacks that (cooperative-sticky).
     */
    @ParameterizedTest
    @ValueSource(strings = {"auto", "classic"})
    void twoShippersShareThePartitionsAndAThirdJoiningAndLeavingLosesNothing(String protocol) throws Exception {
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
            Shipper first = harness.start(config("shipper-1", protocol));
            Shipper second = harness.start(config("shipper-2", protocol));
            await().atMost(WAIT).untilAsserted(() -> {
                List<String> a = partitions(first);
                List<String> b = partitions(second);
                assertThat(a).isNotEmpty();
                assertThat(b).isNotEmpty();
                assertThat(a).doesNotContainAnyElementsOf(b);
                assertThat(a.size() + b.size()).isEqualTo(ShipperHarness.PARTITIONS);
            });
            await().atMost(WAIT).until(() -> sent(first) > 0 && sent(second) > 0);
            List<Shipper> stayers = List.of(first, second);
            List<Set<String>> beforeJoin = owned(stayers);
            List<Double> revokedBefore = revoked(stayers);

            Shipper third = harness.start(config("shipper-3", protocol));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(partitions(third)).hasSize(1);
                assertThat(partitions(first)).hasSize(1);
                assertThat(partitions(second)).hasSize(1);
            });
            List<Set<String>> afterJoin = owned(stayers);
            await().atMost(WAIT).until(() -> sent(third) > 0);
            third.close();
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(partitions(first).size() + partitions(second).size()).isEqualTo(ShipperHarness.PARTITIONS));
            List<Set<String>> afterLeave = owned(stayers);

            // Incremental rebalancing: a shipper that stays loses only the partitions that moved
            // away from it (the eager assignor would revoke all of them at each change, and
            // stop their delivery until the new assignment).
            List<Double> revokedAfter = revoked(stayers);
            for (int i = 0; i < stayers.size(); i++) {
                int moved = without(beforeJoin.get(i), afterJoin.get(i)).size()
                        + without(afterJoin.get(i), afterLeave.get(i)).size();
                assertThat(revokedAfter.get(i) - revokedBefore.get(i)).as("partitions revoked from shipper-" + (i + 1)
                        + ": " + beforeJoin.get(i) + " -> " + afterJoin.get(i) + " -> " + afterLeave.get(i))
                        .isEqualTo(moved);
            }
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

    private ShipperConfig config(String id, String protocol) {
        ShipperConfig config = harness.config(id, fastHec(hec.url(), TOKEN), BATCH);
        ShipperConfig.Kafka kafka = config.kafka();
        return protocol.equals("auto") ? config : config.withKafka(new ShipperConfig.Kafka(kafka.bootstrap(), kafka.topic(),
                kafka.group(), kafka.deadLetterTopic(), Map.of("group.protocol", protocol)));
    }

    private static List<Set<String>> owned(List<Shipper> shippers) throws Exception {
        List<Set<String>> owned = new ArrayList<>();
        for (Shipper shipper : shippers) {
            owned.add(new HashSet<>(partitions(shipper)));
        }
        return owned;
    }

    private static Set<String> without(Set<String> from, Set<String> removed) {
        Set<String> left = new HashSet<>(from);
        left.removeAll(removed);
        return left;
    }

    private static List<Double> revoked(List<Shipper> shippers) throws Exception {
        List<Double> revoked = new ArrayList<>();
        for (Shipper shipper : shippers) {
            revoked.add(metric(shipper, "dnstap_shipper_partitions_revoked_total"));
        }
        return revoked;
    }

    private static List<String> partitions(Shipper shipper) throws Exception {
        List<String> partitions = new ArrayList<>();
        stats(shipper).get("partitions").forEach(node -> partitions.add(node.asText()));
        return partitions;
    }

    private static double sent(Shipper shipper) throws Exception {
        return metric(shipper, "dnstap_component_sent_events_total");
    }

    private static double metric(Shipper shipper, String name) throws Exception {
        return get(shipper, "/metrics").body().lines().filter(line -> line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static JsonNode stats(Shipper shipper) throws Exception {
        return Json.exactDecimals().readTree(get(shipper, "/stats").body());
    }
}
