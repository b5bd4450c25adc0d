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
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Posts gzip-compressed batches of events to one HEC endpoint's {@code /services/collector/event}
 * and says what became of each ({@link Outcome}); with indexer acknowledgement, asks
 * {@code /services/collector/ack} which accepted requests are indexed. Posting never throws for a
 * delivery problem: network failures are {@link Outcome.Retryable}.
 */
public final class HecClient {

    public static final String EVENT_PATH = "/services/collector/event";
    public static final String ACK_PATH = "/services/collector/ack";
    private static final ObjectMapper JSON = new ObjectMapper();

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

    public URI eventUri() {
        return eventUri;
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
        HttpRequest request = HttpRequest.newBuilder(ackUri)
                .timeout(requestTimeout)
                .header("Authorization", "Splunk " + token.get())
                .header("Content-Type", "application/json")
                .header("X-Splunk-Request-Channel", channel)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(query)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode acks = response.statusCode() == 200 ? JSON.readTree(response.body()).path("acks") : null;
        if (acks == null || !acks.isObject()) {
            throw new IOException("HEC answered the ack query with HTTP " + response.statusCode() + ": "
                    + response.body().strip());
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
        HttpRequest.Builder builder = HttpRequest.newBuilder(eventUri)
                .timeout(requestTimeout)
                .header("Authorization", "Splunk " + token.get())
                .header("Content-Type", "application/json")
                .header("X-Splunk-Request-Channel", channel)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (gzipped) {
            builder.header("Content-Encoding", "gzip");
        }
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return ResponseClassifier.classify(response.statusCode(), response.body(),
                    ResponseClassifier.retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
        } catch (HttpTimeoutException e) {
            return new Outcome.Retryable("no answer within " + requestTimeout.toSeconds() + " s", "timeout", null);
        } catch (ConnectException e) {
            return new Outcome.Retryable("cannot connect to " + eventUri.getHost() + ":" + eventUri.getPort()
                    + " (" + e.getMessage() + ")", "connect", null);
        } catch (IOException e) {
            return new Outcome.Retryable("I/O error talking to HEC: " + e, "io", null);
        }
    }
}
