package io.dnstapforwarder.shipper.hec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.testing.ScriptedSink;
import io.dnstapforwarder.testkit.TestTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Indexer acknowledgement by polling, on a clock the test moves: no HEC, no waiting out timeouts. */
@Timeout(30)
class AckPollerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestTime time = TestTime.manual();
    private final ScriptedSink sink = new ScriptedSink();
    private final AckPoller acks = new AckPoller(Duration.ofMillis(10), TIMEOUT,
            new ComponentMetrics(registry, "shipper", "test"), time);

    @AfterEach
    void close() {
        acks.close();
    }

    @Test
    void completesARequestWhenTheSinkReportsItIndexed() {
        CompletableFuture<Boolean> first = acks.indexed(sink, 1);
        CompletableFuture<Boolean> second = acks.indexed(sink, 2);
        assertThat(acks.pending()).isEqualTo(2);

        sink.markIndexed(2);

        assertThat(second).succeedsWithin(WAIT).isEqualTo(true);
        assertThat(first).isNotDone();
        assertThat(acks.pending()).isEqualTo(1);
    }

    @Test
    void givesUpOnARequestNotIndexedWithinTheTimeoutSoThatItIsSentAgain() {
        CompletableFuture<Boolean> request = acks.indexed(sink, 1);

        time.advance(TIMEOUT);

        assertThat(request).succeedsWithin(WAIT).isEqualTo(false);
        assertThat(acks.pending()).isZero();
        assertThat(errors("ack_timeout")).isEqualTo(1);
    }

    @Test
    void asksAgainAfterAFailedQueryAndCountsTheFailure() {
        sink.failAckQueries(new IOException("connection refused"));
        CompletableFuture<Boolean> request = acks.indexed(sink, 1);
        await().atMost(WAIT).until(() -> errors("ack_query_failed") >= 2);
        assertThat(request).isNotDone();

        sink.failAckQueries(null);
        sink.markIndexed(1);

        assertThat(request).succeedsWithin(WAIT).isEqualTo(true);
    }

    @Test
    void sendsTheFirstRequestAgainWhenHecGivesItsAckIdToASecondOne() {
        CompletableFuture<Boolean> first = acks.indexed(sink, 7);
        CompletableFuture<Boolean> second = acks.indexed(sink, 7); // HEC restarted, or a balancer moved our channel

        assertThat(first).as("which request an answer about 7 means is unknowable").isCompletedWithValue(false);
        assertThat(second).isNotDone();
        assertThat(errors("ack_id_reused")).isEqualTo(1);
        sink.markIndexed(7);
        assertThat(second).succeedsWithin(WAIT).isEqualTo(true);
    }

    @Test
    void countsARequestAcceptedWithoutAnAckIdAsIndexed() {
        assertThat(acks.indexed(sink, -1)).isCompletedWithValue(true);
        assertThat(acks.pending()).isZero();
    }

    @Test
    void withoutAcknowledgementEveryRequestIsIndexedAtOnce() {
        assertThat(AckTracker.NONE.indexed(sink, 42)).isCompletedWithValue(true);
        assertThat(AckTracker.NONE.pending()).isZero();
    }

    private double errors(String type) {
        var counter = registry.find("dnstap.component.errors").tag("error.type", type).counter();
        return counter == null ? 0 : counter.count();
    }
}
