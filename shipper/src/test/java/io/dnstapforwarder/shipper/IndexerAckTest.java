package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static io.dnstapforwarder.shipper.ShipperHarness.get;
import static io.dnstapforwarder.shipper.ShipperHarness.ids;
import static io.dnstapforwarder.shipper.ShipperHarness.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Json;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HEC indexer acknowledgement: offsets follow what HEC reports indexed, not what it accepted. */
@Timeout(180)
class IndexerAckTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    @Override
    HecEmulator startHec() {
        return HecEmulator.builder().token(TOKEN).ackEnabled(true).start();
    }

    @Test
    void commitsOnlyRequestsHecReportsIndexed() throws Exception {
        hec.holdAcks(true);
        harness.produce(0, 300);
        Shipper shipper = harness.start(withAck(Duration.ofMinutes(5)), 50);

        hec.awaitEvents(300, WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(stats(shipper, "requests_awaiting_ack")).isPositive());
        await().atMost(WAIT).until(() -> hec.requests().stream()
                .filter(request -> request.path().equals("/services/collector/ack")).count() >= 3); // "not yet", thrice
        assertThat(harness.committed().values()).allMatch(offset -> offset == 0L);

        hec.holdAcks(false);

        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
        assertThat(ids(hec.events())).containsExactlyInAnyOrderElementsOf(range(0, 300));
        assertThat(stats(shipper, "requests_awaiting_ack")).isZero();
        Set<String> channels = hec.requests().stream().map(request -> request.header("X-Splunk-Request-Channel"))
                .collect(Collectors.toSet());
        assertThat(channels).as("one channel per shipper instance").hasSize(1).doesNotContainNull();
    }

    @Test
    void sendsAgainWhatHecDoesNotAcknowledgeInTime() throws Exception {
        hec.holdAcks(true);
        harness.produce(0, 100, 0);
        harness.start(withAck(Duration.ofSeconds(2)), 100);

        // Accepted, never acknowledged (an indexer lost it), so sent again after the timeout.
        await().atMost(WAIT).until(() -> hec.eventCount() >= 200);
        assertThat(harness.committed().values()).allMatch(offset -> offset == 0L);

        hec.holdAcks(false);

        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
        assertThat(Set.copyOf(ids(hec.events()))).containsExactlyInAnyOrderElementsOf(range(0, 100));
    }

    @Test
    void eventsHecTookBeforeOneItRejectedAreSentAgainForAnAckIdBeforeTheyAreCommitted() throws Exception {
        hec.rejectEvents(event -> event.at("/event/connection_id").asLong() == 50, true);
        harness.produce(0, 100, 0);
        harness.start(withAck(Duration.ofMinutes(5)), 100);

        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
        java.util.List<Long> delivered = ids(hec.events());
        // The request of 100 was answered "invalid event 50" without an ackId: 0..49 were indexed on HEC's
        // word only, so they went again in a request of their own, whose ackId HEC then reported indexed.
        assertThat(delivered.stream().filter(id -> id < 50)).hasSize(100);
        assertThat(Set.copyOf(delivered)).containsExactlyInAnyOrderElementsOf(
                range(0, 100).stream().filter(id -> id != 50).toList());
        assertThat(hec.requests().stream().filter(request -> request.path().equals("/services/collector/ack")))
                .isNotEmpty();
    }

    private HecConfig withAck(Duration timeout) {
        return fastHec(hec.url(), TOKEN).withAck(HecConfig.Ack.on(Duration.ofMillis(100), timeout));
    }

    private static long stats(Shipper shipper, String field) throws Exception {
        return Json.exactDecimals().readTree(get(shipper, "/stats").body()).path(field).asLong(-1);
    }
}
