package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static io.dnstapforwarder.shipper.ShipperHarness.ids;
import static io.dnstapforwarder.shipper.ShipperHarness.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.shipper.hec.HecClient;
import io.dnstapforwarder.testkit.HecEmulator;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With indexer acknowledgement: ack queries whose answers stall no longer hold the single ack poller for ever. */
@Timeout(120)
class StalledAckQueryTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Override
    HecEmulator startHec() {
        return HecEmulator.builder().token(TOKEN).ackEnabled(true).start();
    }

    @Test
    void ackQueriesThatStallAfterTheirHeadersAreAskedAgainAndEverythingIsCommitted() throws Exception {
        hec.stallAnswers(HecEmulator.Stall.AFTER_HEADERS, Set.of(HecClient.ACK_PATH));
        harness.produce(0, 300);
        harness.start(fastHec(hec.url(), TOKEN).withRequestTimeout(Duration.ofSeconds(1))
                .withAck(HecConfig.Ack.on(Duration.ofMillis(100), Duration.ofMinutes(5))), 50);

        hec.awaitEvents(300, WAIT);
        await().atMost(WAIT).until(() -> hec.requests().stream()
                .filter(request -> request.path().equals(HecClient.ACK_PATH)).count() >= 2);
        assertThat(harness.committed().values()).allMatch(offset -> offset == 0L);

        hec.stallAnswers(HecEmulator.Stall.AFTER_HEADERS, Set.of());

        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
        assertThat(Set.copyOf(ids(hec.events()))).containsExactlyInAnyOrderElementsOf(range(0, 300));
    }
}
