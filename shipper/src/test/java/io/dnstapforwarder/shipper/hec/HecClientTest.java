package io.dnstapforwarder.shipper.hec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.HecRequest;
import io.dnstapforwarder.testkit.SilentPeer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class HecClientTest {

    private static final UUID CHANNEL = UUID.fromString("6f1d0d2e-1c4b-4c1a-9d8e-0123456789ab");
    private final HecEmulator hec = HecEmulator.start("token-1");
    private final HecClient client = new HecClient(hec.url(), () -> "token-1", CHANNEL,
            HecClient.defaultHttpClient(Duration.ofSeconds(2)), Duration.ofSeconds(5));

    @AfterEach
    void stop() {
        hec.close();
    }

    @Test
    void postsGzippedEventsWithTokenChannelAndEncodingHeaders() throws Exception {
        Outcome outcome = client.post(gzip("{\"event\":{\"query\":\"a\"}}\n{\"event\":{\"query\":\"b\"}}\n"), true);

        assertThat(outcome).isEqualTo(new Outcome.Delivered(-1));
        HecRequest request = hec.requests().get(0);
        assertThat(request.path()).isEqualTo("/services/collector/event");
        assertThat(request.header("Authorization")).isEqualTo("Splunk token-1");
        assertThat(request.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(request.header("X-Splunk-Request-Channel")).isEqualTo(CHANNEL.toString());
        assertThat(request.eventsAccepted()).isEqualTo(2);
    }

    @Test
    void startsNoThreadPerRequest() throws Exception {
        // sendAsync completes on CompletableFuture's default executor, which is a new thread per
        // task where the common pool has one thread (2 cores): 8,000 threads in a 4 M event drain.
        client.post(gzip("{\"event\":1}"), true); // the client's own threads start with its first request
        long before = java.lang.management.ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();

        for (int i = 0; i < 200; i++) {
            assertThat(client.post(gzip("{\"event\":1}"), true)).isInstanceOf(Outcome.Delivered.class);
        }

        long started = java.lang.management.ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - before;
        assertThat(started).as("threads started by 200 requests").isLessThan(20);
    }

    @Test
    void asksForTheTokenOnEveryRequest() throws Exception {
        String[] token = {"old"};
        HecClient rotating = new HecClient(hec.url(), () -> token[0], CHANNEL,
                HecClient.defaultHttpClient(Duration.ofSeconds(2)), Duration.ofSeconds(5));

        Outcome refused = rotating.post(gzip("{\"event\":1}"), true);
        token[0] = "token-1";
        Outcome accepted = rotating.post(gzip("{\"event\":1}"), true);

        assertThat(refused).isEqualTo(new Outcome.Misconfigured("HTTP 403: Invalid token", "hec_4"));
        assertThat(accepted).isInstanceOf(Outcome.Delivered.class);
    }

    @Test
    void reportsARefusedConnectionAsRetryable() throws Exception {
        URI url = hec.url();
        hec.stop();

        Outcome outcome = client.post(gzip("{\"event\":1}"), true);

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retryable.class, retry -> {
            assertThat(retry.errorCode()).isEqualTo("connect");
            assertThat(retry.reason()).startsWith("cannot connect to 127.0.0.1:" + url.getPort());
        });
    }

    @Test
    void acceptsABaseUrlWithATrailingSlash() {
        HecClient slashed = new HecClient(URI.create("https://splunk.example:8088/"), () -> "t", CHANNEL,
                HecClient.defaultHttpClient(Duration.ofSeconds(1)), Duration.ofSeconds(1));

        assertThat(slashed.eventUri()).isEqualTo(URI.create("https://splunk.example:8088/services/collector/event"));
    }

    private static byte[] gzip(String body) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(body.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void refusesATokenAHeaderCannotCarryWithoutEverShowingIt() throws Exception {
        HecClient broken = new HecClient(hec.url(), () -> "token-1\nX-Injected: 1", CHANNEL,
                HecClient.defaultHttpClient(Duration.ofSeconds(2)), Duration.ofSeconds(5));

        Outcome outcome = broken.post(gzip("{\"event\":1}"), true);

        assertThat(outcome).isInstanceOf(Outcome.Misconfigured.class);
        assertThat(outcome.toString()).doesNotContain("token-1").contains("a character an HTTP header cannot carry");
        assertThat(hec.requests()).isEmpty();
    }

    @Test
    void readsAProxysHugeAnswerOnlyAsFarAsItNeeds() throws Exception {
        hec.enqueue(200, "<html>" + "x".repeat(2_000_000) + "</html>", java.util.Map.of());

        Outcome outcome = client.post(gzip("{\"event\":1}"), true);

        assertThat(outcome).isInstanceOf(Outcome.Misconfigured.class);
        assertThat(outcome.errorCode()).isEqualTo("not_hec");
        assertThat(outcome.toString()).hasSizeLessThan(400);
    }

    @Test
    void givesUpOnAHecThatDoesNotAnswerAndSaysItCanBeRetried() throws Exception {
        hec.respondSlowly(Duration.ofSeconds(3));
        HecClient impatient = new HecClient(hec.url(), () -> "token-1", CHANNEL,
                HecClient.defaultHttpClient(Duration.ofSeconds(2)), Duration.ofMillis(300));

        Outcome outcome = impatient.post(gzip("{\"event\":1}"), true);

        assertThat(outcome).isEqualTo(new Outcome.Retryable("no whole answer within 300 ms", "timeout", null));
    }

    @Test
    void givesUpOnAnAnswerWhoseBodyNeverComesWithinTheRequestTimeout() throws Exception {
        hec.stallAnswers(HecEmulator.Stall.AFTER_HEADERS, Set.of(HecClient.EVENT_PATH));

        long start = System.nanoTime();
        Outcome outcome = impatient().post(gzip("{\"event\":1}"), true);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(outcome).isEqualTo(new Outcome.Retryable("no whole answer within 300 ms", "timeout", null));
        assertThat(took).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void givesUpOnAnAnswerThatStopsHalfWayThroughItsBody() throws Exception {
        hec.stallAnswers(HecEmulator.Stall.HALF_BODY, Set.of(HecClient.EVENT_PATH));

        Outcome outcome = impatient().post(gzip("{\"event\":1}"), true);

        assertThat(outcome).isEqualTo(new Outcome.Retryable("no whole answer within 300 ms", "timeout", null));
    }

    @Test
    void givesUpOnAnAckQueryWhoseAnswerNeverEnds() {
        hec.stallAnswers(HecEmulator.Stall.AFTER_HEADERS, Set.of(HecClient.ACK_PATH));

        long start = System.nanoTime();
        assertThatThrownBy(() -> impatient().indexed(List.of(1L, 2L)))
                .isInstanceOf(java.net.http.HttpTimeoutException.class)
                .hasMessage("no whole answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void givesUpOnAPeerThatNeverReadsWhatIsSent() throws Exception {
        try (SilentPeer peer = SilentPeer.start()) {
            HecClient client = new HecClient(peer.url(), () -> "token-1", CHANNEL,
                    HecClient.defaultHttpClient(Duration.ofSeconds(2)), Duration.ofMillis(300));
            byte[] large = new byte[8 * 1024 * 1024]; // far more than the socket buffers hold

            Outcome outcome = client.post(large, false);

            assertThat(outcome).isEqualTo(new Outcome.Retryable("no whole answer within 300 ms", "timeout", null));
            assertThat(peer.connections()).isEqualTo(1);
        }
    }

    @Test
    void anInterruptEndsAStalledExchangeAtOnceAndKeepsTheFlag() throws Exception {
        hec.stallAnswers(HecEmulator.Stall.AFTER_HEADERS, Set.of(HecClient.EVENT_PATH));
        HecClient patient = new HecClient(hec.url(), () -> "token-1", CHANNEL,
                HecClient.defaultHttpClient(Duration.ofSeconds(2)), Duration.ofSeconds(60));
        java.util.concurrent.CompletableFuture<Throwable> ended = new java.util.concurrent.CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                patient.post(gzip("{\"event\":1}"), true);
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(e);
            }
        });
        worker.start();
        while (hec.requests().isEmpty()) {
            Thread.onSpinWait();
        }

        worker.interrupt();

        assertThat(ended.get(5, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    }

    @Test
    void aStalledAnswerDoesNotHoldTheNextRequestBack() throws Exception {
        hec.stallAnswers(HecEmulator.Stall.AFTER_HEADERS, Set.of(HecClient.EVENT_PATH));
        HecClient client = impatient();
        assertThat(client.post(gzip("{\"event\":1}"), true)).isInstanceOf(Outcome.Retryable.class);

        hec.stallAnswers(HecEmulator.Stall.AFTER_HEADERS, Set.of());

        assertThat(client.post(gzip("{\"event\":2}"), true)).isEqualTo(new Outcome.Delivered(-1));
        assertThat(hec.eventCount()).isEqualTo(1);
    }

    private HecClient impatient() {
        return new HecClient(hec.url(), () -> "token-1", CHANNEL, HecClient.defaultHttpClient(Duration.ofSeconds(2)),
                Duration.ofMillis(300));
    }
}
