package io.dnstapforwarder.shipper.hec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Posts gzip-compressed batches of events to one HEC endpoint's {@code /services/collector/event}
 * and says what became of each ({@link Outcome}); with indexer acknowledgement, asks
 * {@code /services/collector/ack} which accepted requests are indexed. Posting never throws for a
 * delivery problem: network failures are {@link Outcome.Retryable}.
 *
 * <p>The whole exchange, from sending the request to the last byte of the answer, has one deadline:
 * the request timeout. The JDK's own {@code HttpRequest.timeout} ends when the headers arrive
 * (JDK-8208693), so a peer that sends headers and then nothing would hold the calling thread for
 * ever; here the answer's body has what is left of the deadline, and when it passes the body is
 * abandoned (its connection closed). An interrupt of the caller cancels the exchange too.
 *
 * <p>The exchange is synchronous ({@code HttpClient.send}) on purpose: {@code sendAsync} completes
 * its future on {@code CompletableFuture}'s default executor, which, where the common pool has one
 * thread (two cores or fewer, a small pod), starts a new thread for every request.
 */
public final class HecClient {

    public static final String EVENT_PATH = "/services/collector/event";
    public static final String ACK_PATH = "/services/collector/ack";
    /** HEC answers in a few dozen bytes; what answers with more (a proxy's page) is read this far only. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;
    private final URI eventUri;
    private final URI ackUri;
    private final Supplier<String> token;
    private final String channel;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * @param baseUrl e.g. {@code https://splunk:8088}
     * @param token the HEC token, asked for on every request so that a rotated token is used at once
     * @param channel this shipper's request channel (HEC requires one with indexer acknowledgement)
     */
    public HecClient(URI baseUrl, Supplier<String> token, UUID channel, HttpClient http, Duration requestTimeout) {
        this.baseUrl = baseUrl;
        String base = baseUrl.toString().replaceAll("/+$", "");
        this.eventUri = URI.create(base + EVENT_PATH);
        this.ackUri = URI.create(base + ACK_PATH);
        this.token = token;
        this.channel = channel.toString();
        this.http = http;
        this.requestTimeout = requestTimeout;
    }

    /** A client for HEC's HTTP/1.1 with the given connect timeout, trusting the JDK's CAs. */
    public static HttpClient defaultHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }

    /** A client for HEC's HTTP/1.1 with the given connect timeout and TLS context. */
    public static HttpClient httpClient(Duration connectTimeout, javax.net.ssl.SSLContext tls) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .sslContext(tls).build();
    }

    /** The base URL as configured (what names the endpoint in metrics and /stats). */
    public URI baseUrl() {
        return baseUrl;
    }

    public URI eventUri() {
        return eventUri;
    }

    private static final String UNSENDABLE_TOKEN = "the HEC token has a character an HTTP header cannot carry "
            + "(--hec-token or the file of --hec-token-file)";

    /** An answer, its body read {@link #MAX_ANSWER_BYTES} far at most. */
    private record Answer(int status, String body, String retryAfter) {
    }

    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Authorization", "Splunk " + token.get())
                .header("Content-Type", "application/json")
                .header("X-Splunk-Request-Channel", channel);
    }

    /**
     * Sends the request and reads its answer, all of it within the request timeout.
     *
     * @throws HttpTimeoutException when the whole answer did not come in time (the exchange is cancelled)
     */
    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, responseInfo -> new BoundedBody(deadline));
        } catch (HttpTimeoutException e) {
            // The JDK's (no headers in time) and the body's own: one message, naming the setting's value.
            throw new HttpTimeoutException("no whole answer within " + describe(requestTimeout));
        }
        return new Answer(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8),
                response.headers().firstValue("Retry-After").orElse(null));
    }

    private static String describe(Duration timeout) {
        long millis = timeout.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    /**
     * Collects an answer's body up to {@link #MAX_ANSWER_BYTES}, then stops reading: HEC answers in
     * a few dozen bytes, a proxy's error page is not worth more. A body not whole by the deadline is
     * abandoned: it fails with {@link HttpTimeoutException} and its subscription is cancelled, which
     * closes the connection. The deadline's timer is {@code CompletableFuture}'s one shared thread.
     */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final CompletableFuture<Void> timer = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private final long deadline;
        private Flow.Subscription subscription;

        BoundedBody(long deadline) {
            this.deadline = deadline;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            body.whenComplete((bytes, error) -> timer.complete(null)); // ends the timer's task early
            timer.orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    .whenComplete((nothing, timedOut) -> {
                        if (timedOut != null && body.completeExceptionally(new HttpTimeoutException("body not whole"))) {
                            subscription.cancel();
                        }
                    });
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                int take = Math.min(buffer.remaining(), MAX_ANSWER_BYTES - bytes.size());
                if (take > 0) {
                    byte[] chunk = new byte[take];
                    buffer.get(chunk);
                    bytes.write(chunk, 0, take);
                }
            }
            if (bytes.size() >= MAX_ANSWER_BYTES && body.complete(bytes.toByteArray())) {
                subscription.cancel();
            }
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }

    /**
     * Asks which of the given ackIds of this client's channel are indexed. An id answered true is
     * forgotten by HEC, so each is reported true once.
     *
     * @return the ids HEC reported indexed
     * @throws IOException when HEC cannot be reached or does not answer with acks
     */
    public Set<Long> indexed(Collection<Long> ackIds) throws IOException, InterruptedException {
        ObjectNode query = JSON.createObjectNode();
        ArrayNode ids = query.putArray("acks");
        ackIds.forEach(ids::add);
        HttpRequest request;
        try {
            request = authorized(ackUri).POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(query)))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IOException(UNSENDABLE_TOKEN);
        }
        Answer answer = send(request);
        JsonNode acks = answer.status() == 200 ? JSON.readTree(answer.body()).path("acks") : null;
        if (acks == null || !acks.isObject()) {
            throw new IOException("HEC answered the ack query with HTTP " + answer.status() + ": " + answer.body().strip());
        }
        Set<Long> indexed = new HashSet<>();
        acks.fields().forEachRemaining(entry -> {
            if (entry.getValue().asBoolean(false)) {
                indexed.add(Long.parseLong(entry.getKey()));
            }
        });
        return indexed;
    }

    /** Sends one body of concatenated events, gzip-compressed or not. */
    public Outcome post(byte[] body, boolean gzipped) throws InterruptedException {
        HttpRequest request;
        try {
            HttpRequest.Builder builder = authorized(eventUri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (gzipped) {
                builder.header("Content-Encoding", "gzip");
            }
            request = builder.build();
        } catch (IllegalArgumentException e) {
            // The JDK's message quotes the header, token included: never pass it on.
            return new Outcome.Misconfigured(UNSENDABLE_TOKEN, "bad_token");
        }
        try {
            Answer answer = send(request);
            return ResponseClassifier.classify(answer.status(), answer.body(), ResponseClassifier.retryAfter(answer.retryAfter()));
        } catch (HttpTimeoutException e) {
            return new Outcome.Retryable("no whole answer within " + describe(requestTimeout), "timeout", null);
        } catch (ConnectException e) {
            return new Outcome.Retryable("cannot connect to " + eventUri.getHost() + ":" + eventUri.getPort()
                    + " (" + e.getMessage() + ")", "connect", null);
        } catch (IOException e) {
            return new Outcome.Retryable("I/O error talking to HEC: " + e, "io", null);
        }
    }
}
