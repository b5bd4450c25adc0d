package io.dnstapforwarder.shipper.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.retry.Backoff;
import io.dnstapforwarder.shipper.hec.HecClient;
import io.dnstapforwarder.shipper.hec.HecRequest;
import io.dnstapforwarder.shipper.hec.HecSink;
import io.dnstapforwarder.shipper.hec.HecTls;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.hec.TokenSource;
import io.dnstapforwarder.shipper.testing.DeliveryFixture;
import io.dnstapforwarder.shipper.testing.Records;
import io.dnstapforwarder.shipper.testing.ScriptedSink;
import io.dnstapforwarder.testkit.HecEmulator;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class SenderTest {

    private static final String TOKEN = "11111111-2222-4333-8444-555555555555";

    /**
     * Three failed attempts, then a success: the breaker's window (4 calls, 50 %) is first full on
     * the success, at 75 % failed, and the breaker opened on it. With nothing more to send, no probe
     * came to close it again, and /ready stayed 503 (seen in HecOutageTest on a loaded machine).
     */
    @Test
    void aSuccessLeavesTheBreakerClosedEvenWhenItCompletesAWindowOfFailures() throws Exception {
        try (HecEmulator hec = HecEmulator.start(TOKEN)) {
            hec.respondServerBusy(3);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            Breakers breakers = new Breakers(true, 50, 4, Duration.ofMinutes(5), registry, io.micrometer.core.instrument.Tags.empty());
            HecClient client = new HecClient(hec.url(), TokenSource.fixed(TOKEN), UUID.randomUUID(),
                    HecClient.httpClient(Duration.ofSeconds(5), HecTls.context(null, true)), Duration.ofSeconds(10));
            Endpoint endpoint = new Endpoint(new HecSink(client, 1), breakers.create(hec.url().toString()));
            Sender sender = new Sender(new Endpoints(List.of(endpoint)),
                    new Backoff(Duration.ofMillis(1), Duration.ofMillis(5), () -> 0.5), 1,
                    new ComponentMetrics(registry, "shipper", "test"), io.dnstapforwarder.time.Time.SYSTEM);

            Sender.Sent sent = sender.send(new HecRequest(List.of(new HecRequest.Event(
                    new ConsumerRecord<>("dnstap.events", 0, 0L, null, new byte[0]),
                    "{\"time\":1,\"event\":{\"id\":1}}".getBytes(StandardCharsets.UTF_8)))));

            assertThat(sent.outcome()).isInstanceOf(Outcome.Delivered.class);
            assertThat(hec.requests()).hasSize(4);
            assertThat(hec.eventCount()).isEqualTo(1);
            assertThat(endpoint.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(sender.lastFailure()).isNull();
        }
    }

    @Test
    void aRequestStuckPastItsLimitIsNamedByTheWatchdogUntilItEnds() throws Exception {
        try (DeliveryFixture parts = new DeliveryFixture()) {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            parts.sink.thenAnswer(ScriptedSink.deliveredAfter(release)); // a sink whose own bounds failed
            io.dnstapforwarder.ops.Watchdog watchdog = new io.dnstapforwarder.ops.Watchdog(System::nanoTime);
            Sender watched = new Sender(parts.endpoints, Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(5)),
                    1, parts.metrics, io.dnstapforwarder.time.Time.SYSTEM, watchdog, Duration.ofMillis(100));
            Thread worker = new Thread(() -> {
                try {
                    watched.send(request());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "dnstap-deliver-test");
            worker.start();

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !watchdog.overdue().isEmpty());
            assertThat(watchdog.overdue()).singleElement().asString()
                    .startsWith("dnstap-deliver-test has been sending a request to scripted sink for");
            release.countDown();
            worker.join(10_000);
            assertThat(watchdog.overdue()).isEmpty();
        }
    }

    @Test
    void givesTheHalfOpenBreakersPermitBackWhenItsProbeEndsInAnException() throws Exception {
        try (DeliveryFixture parts = new DeliveryFixture(true)) {
            CircuitBreaker breaker = parts.endpoints.all().get(0).breaker();
            breaker.transitionToOpenState();
            breaker.transitionToHalfOpenState();
            parts.sink.thenAnswer(request -> {
                throw new IllegalStateException("a fault while probing");
            });

            assertThatThrownBy(() -> parts.sender.send(request())).isInstanceOf(IllegalStateException.class);

            assertThat(breaker.tryAcquirePermission()).as("the next probe may go").isTrue();
        }
    }

    @Test
    void givesTheHalfOpenBreakersPermitBackWhenItsProbeIsInterrupted() throws Exception {
        try (DeliveryFixture parts = new DeliveryFixture(true)) {
            CircuitBreaker breaker = parts.endpoints.all().get(0).breaker();
            breaker.transitionToOpenState();
            breaker.transitionToHalfOpenState();
            CountDownLatch never = new CountDownLatch(1);
            parts.sink.thenAnswer(ScriptedSink.deliveredAfter(never));
            Thread probing = new Thread(() -> {
                try {
                    parts.sender.send(request());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // a rebalance abandoned the work
                }
            });
            probing.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> parts.sink.numbers().size() == 1);

            probing.interrupt();
            probing.join(10_000);

            assertThat(breaker.tryAcquirePermission()).as("the next probe may go").isTrue();
        }
    }

    private static HecRequest request() {
        return new HecRequest(List.of(new HecRequest.Event(Records.numbered(0, 0),
                "{\"time\":1,\"event\":{\"connection_id\":1}}".getBytes(StandardCharsets.UTF_8))));
    }
}
