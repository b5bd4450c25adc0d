package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static io.dnstapforwarder.shipper.ShipperHarness.get;
import static io.dnstapforwarder.shipper.ShipperHarness.ids;
import static io.dnstapforwarder.shipper.ShipperHarness.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestCertificates;
import io.dnstapforwarder.testkit.TestKafka;
import io.dnstapforwarder.tls.TlsContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HEC unavailable, several HEC endpoints, refused tokens and TLS: the circuit breaker, paused
 * consumption and readiness, with every event accounted for.
 */
@Timeout(240)
class HecOutageTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void opensTheBreakerAndPausesConsumptionWhileHecIsDownForThirtySecondsUnderLoadThenDeliversEverything()
            throws Exception {
        Shipper shipper = harness.start(fastHec(hec.url(), TOKEN), 100);
        AtomicInteger produced = new AtomicInteger();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        // 100 events every 100 ms (1,000/s) for as long as the test lasts, at most 60,000 in all.
        load.scheduleAtFixedRate(() -> {
            int from = produced.get();
            if (from < 60_000) {
                harness.produce(from, from + 100);
                produced.addAndGet(100);
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        try {
            await().atMost(WAIT).until(() -> hec.eventCount() >= 2_000);
            hec.stop();
            Instant down = Instant.now();

            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(get(shipper, "/metrics").body()).contains(breakerState("open") + " 1.0");
                assertThat(get(shipper, "/ready").statusCode()).isEqualTo(503);
                assertThat(get(shipper, "/ready").body()).contains("every circuit breaker is open");
                assertThat(stats(shipper).get("paused").asBoolean()).isTrue();
            });
            double consumedWhenPaused = metric(shipper, "dnstap_component_received_events_total");
            double retriesWhenPaused = metric(shipper, "dnstap_shipper_retries_requests_total");
            double probesWhenPaused = failedBreakerCalls(shipper);
            assertThat(consumedWhenPaused).isPositive();
            assertThat(retriesWhenPaused).isPositive();

            // Paused for the rest of the 30 s outage: nothing more is fetched.
            Duration rest = Duration.ofSeconds(30).minus(Duration.between(down, Instant.now()));
            if (!rest.isNegative()) {
                await().during(rest).atMost(rest.plus(WAIT)).until(() ->
                        metric(shipper, "dnstap_component_received_events_total") == consumedWhenPaused);
            }
            // And the dead endpoint got only its breaker's probes (each a call the breaker records as failed), not
            // a retry storm of four workers; a worker's attempt already under way when the breaker opened aside.
            double retries = metric(shipper, "dnstap_shipper_retries_requests_total") - retriesWhenPaused;
            double probes = failedBreakerCalls(shipper) - probesWhenPaused;
            assertThat(probes).as("the open breaker probed").isPositive();
            assertThat(retries).isLessThanOrEqualTo(probes + HecConfig.DEFAULT_CONCURRENCY);
            hec.start();
        } finally {
            load.shutdown();
            assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        harness.flush();

        int total = produced.get();
        await().atMost(WAIT).until(() -> Set.copyOf(ids(hec.events())).size() == total);
        assertThat(Set.copyOf(ids(hec.events()))).containsExactlyInAnyOrderElementsOf(range(0, total));
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(get(shipper, "/metrics").body()).contains(breakerState("closed") + " 1.0");
            assertThat(get(shipper, "/ready").statusCode()).isEqualTo(200);
        });
        assertThat(deadLetters()).isZero();
    }

    @Test
    void keepsDeliveringThroughTheOtherEndpointWhenOneIsDown() throws Exception {
        HecEmulator down = HecEmulator.start(TOKEN);
        down.stop();
        try {
            harness.produce(0, 2_000);
            // A breaker that opens after 4 failures and stays open for the rest of the test.
            HecConfig both = fastHec(down.url(), TOKEN).withUrls(List.of(down.url(), hec.url()))
                    .withBreaker(new HecConfig.Breaker(true, 50, 4, Duration.ofMinutes(5)));
            Shipper shipper = harness.start(both, 20);

            await().atMost(WAIT).until(() -> Set.copyOf(ids(hec.events())).size() == 2_000);
            assertThat(Set.copyOf(ids(hec.events()))).containsExactlyInAnyOrderElementsOf(range(0, 2_000));
            await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
            JsonNode endpoints = stats(shipper).get("endpoints");
            assertThat(endpoints.get(down.url().toString()).asText()).isEqualTo("OPEN");
            assertThat(endpoints.get(hec.url().toString()).asText()).isEqualTo("CLOSED");
            assertThat(get(shipper, "/ready").statusCode()).isEqualTo(200);
        } finally {
            down.close();
        }
    }

    @Test
    void waitsWhileHecRefusesTheTokenAndResumesWhenTheTokenFileIsFixed() throws Exception {
        Path tokenFile = dir.resolve("hec-token");
        Files.writeString(tokenFile, "0badc0de-0000-4000-8000-000000000000\n", StandardCharsets.UTF_8);
        harness.produce(0, 300);
        Shipper shipper = harness.start(fastHec(hec.url(), tokenFile), 100);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(get(shipper, "/ready").statusCode()).isEqualTo(503);
            assertThat(get(shipper, "/ready").body()).contains("HTTP 403: Invalid token");
        });
        int refused = hec.requests().size();
        await().atMost(WAIT).until(() -> hec.requests().size() >= refused + 2); // refused again, and again
        assertThat(hec.eventCount()).isZero();
        assertThat(harness.committed().values()).allMatch(offset -> offset == 0L);
        assertThat(deadLetters()).isZero();
        assertThat(get(shipper, "/stats").body()).doesNotContain("0badc0de");

        Files.writeString(tokenFile, TOKEN + "\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(tokenFile, FileTime.from(Instant.now().plusSeconds(5)));

        await().atMost(WAIT).until(() -> Set.copyOf(ids(hec.events())).size() == 300);
        assertThat(Set.copyOf(ids(hec.events()))).containsExactlyInAnyOrderElementsOf(range(0, 300));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(harness.committed()).isEqualTo(harness.endOffsets());
            assertThat(get(shipper, "/ready").statusCode()).isEqualTo(200);
        });
        assertThat(deadLetters()).isZero();
    }

    @Test
    void trustsHecOnlyThroughTheConfiguredCaFile() throws Exception {
        TestCertificates certificates = TestCertificates.create(Files.createDirectories(dir.resolve("tls")));
        try (HecEmulator https = HecEmulator.builder().token(TOKEN)
                .tls(TlsContexts.server(certificates.serverCertificate(), certificates.serverKey(), null)).start()) {
            harness.produce(0, 200);
            Shipper untrusting = harness.start(fastHec(https.url(), TOKEN), 100);
            await().atMost(WAIT).untilAsserted(() -> assertThat(get(untrusting, "/stats").body())
                    .contains("PKIX path building failed"));
            assertThat(https.eventCount()).isZero();
            untrusting.close();

            harness.start(fastHec(https.url(), TOKEN).withTls(new HecConfig.Tls(certificates.ca(), true)), 100);

            await().atMost(WAIT).until(() -> Set.copyOf(ids(https.events())).size() == 200);
            assertThat(Set.copyOf(ids(https.events()))).containsExactlyInAnyOrderElementsOf(range(0, 200));
        }
    }

    private static JsonNode stats(Shipper shipper) throws Exception {
        return Json.exactDecimals().readTree(get(shipper, "/stats").body());
    }

    private String breakerState(String state) {
        // The service's own tags too: an alert on the breaker names the shipper.
        return "resilience4j_circuitbreaker_state{component_id=\"shipper-test\",component_kind=\"shipper\",name=\""
                + hec.url() + "\",state=\"" + state + "\"}";
    }

    /** Calls to the HEC endpoint its circuit breaker recorded as failed. */
    private double failedBreakerCalls(Shipper shipper) throws Exception {
        String sample = "resilience4j_circuitbreaker_calls_seconds_count{";
        return get(shipper, "/metrics").body().lines()
                .filter(line -> line.startsWith(sample) && line.contains("kind=\"failed\"")
                        && line.contains("name=\"" + hec.url() + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** The sum of a metric's samples in the shipper's /metrics. */
    private static double metric(Shipper shipper, String name) throws Exception {
        return get(shipper, "/metrics").body().lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private long deadLetters() throws Exception {
        try (Admin admin = Admin.create(java.util.Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            TopicPartition partition = new TopicPartition(harness.deadLetterTopic, 0);
            return admin.listOffsets(java.util.Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
        }
    }
}
