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

/**
 * A HEC (or a proxy in front of it) that sends the status line and headers of its answers and then
 * nothing: every worker used to wait for the body for ever. Now each such request ends at the
 * request timeout, is sent again, and once HEC answers whole again everything is delivered within
 * the timeout plus a backoff.
 */
@Timeout(120)
class StalledHecTest extends ShipperIntegrationTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int EVENTS = 652;

    @Test
    void answersThatStallAfterTheirHeadersDelayDeliveryByAtMostTheTimeoutAndLoseNothing() throws Exception {
        hec.stallAnswers(HecEmulator.Stall.AFTER_HEADERS, Set.of(HecClient.EVENT_PATH));
        harness.produce(0, EVENTS);
        harness.start(fastHec(hec.url(), TOKEN).withRequestTimeout(REQUEST_TIMEOUT), 100);

        // Every worker met a stalled answer, and more than once: each was given up on and sent again.
        await().atMost(WAIT).until(() -> hec.requests().size() >= 2 * HecConfig.DEFAULT_CONCURRENCY);
        assertThat(hec.eventCount()).isZero();

        hec.stallAnswers(HecEmulator.Stall.AFTER_HEADERS, Set.of());
        long healed = System.nanoTime();

        await().atMost(WAIT).until(() -> Set.copyOf(ids(hec.events())).size() == EVENTS);
        Duration delay = Duration.ofNanos(System.nanoTime() - healed);
        // At most one request timeout (a stalled attempt under way) and the longest backoff (300 ms), with room
        // for a loaded machine.
        assertThat(delay).isLessThan(REQUEST_TIMEOUT.plusMillis(300).plusSeconds(4));
        assertThat(Set.copyOf(ids(hec.events()))).containsExactlyInAnyOrderElementsOf(range(0, EVENTS));
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
    }

    @Test
    void answersThatStopHalfWayThroughTheirBodyAreSentAgainToo() throws Exception {
        hec.stallAnswers(HecEmulator.Stall.HALF_BODY, Set.of(HecClient.EVENT_PATH));
        harness.produce(0, EVENTS);
        harness.start(fastHec(hec.url(), TOKEN).withRequestTimeout(REQUEST_TIMEOUT), 100);
        await().atMost(WAIT).until(() -> hec.requests().size() >= 2 * HecConfig.DEFAULT_CONCURRENCY);

        hec.stallAnswers(HecEmulator.Stall.HALF_BODY, Set.of());

        await().atMost(WAIT).until(() -> Set.copyOf(ids(hec.events())).size() == EVENTS);
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
    }
}
