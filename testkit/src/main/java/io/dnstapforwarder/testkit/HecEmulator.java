package io.dnstapforwarder.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A strict stand-in for the Splunk HTTP Event Collector: it rejects what Splunk rejects, with
 * Splunk's status codes and bodies, and keeps every event it accepted for assertions.
 *
 * <ul>
 *   <li>{@code POST /services/collector/event} (also {@code /services/collector} and
 *       {@code .../event/1.0}): {@code Authorization: Splunk <token>} (401 code 2 when missing,
 *       401 code 3 when not of that form, 403 code 4 when wrong); gzip when
 *       {@code Content-Encoding: gzip}; a body of concatenated JSON objects, each with an
 *       {@code event} that is present (code 12) and not blank (code 13); {@code time} a number;
 *       {@code host}, {@code source}, {@code sourcetype}, {@code index} strings; {@code index}
 *       one of the allowed indexes when any are configured (code 7); {@code fields} flat (code
 *       15). As Splunk does, the events before a bad one are indexed and the error names the bad
 *       one in {@code invalid-event-number}.
 *   <li>With indexer acknowledgement on: a {@code X-Splunk-Request-Channel} GUID is required
 *       (codes 10, 11), each success carries an {@code ackId}, and {@code POST
 *       /services/collector/ack} answers their status; an ack that was reported true is forgotten.
 *   <li>{@code GET /services/collector/health}.
 *   <li>Scripted failures: {@link #enqueue} responses that are served, in order, before normal
 *       handling (503 busy, 429 with Retry-After, ...); {@link #stop()} / {@link #start()} for an
 *       outage (connections refused) on the same port.
 *   <li>Peers that stop mid-way ({@link #stallAnswers}): the status line and headers, then nothing;
 *       or half the body, then nothing. Such an answer is never finished: its connection stays
 *       open, silent, until the emulator closes, as behind a proxy that lost its upstream.
 * </ul>
 */
public final class HecEmulator implements AutoCloseable {

    static {
        // Headers and body go out in separate writes; without TCP_NODELAY the client's delayed ACK
        // adds about 40 ms to each response, which real HEC does not.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final String token;
    private final boolean ackEnabled;
    private final Set<String> allowedIndexes;
    private final Object lock = new Object();
    private final List<JsonNode> events = new ArrayList<>();
    private final List<HecRequest> requests = new ArrayList<>();
    private final Queue<HecAnswer> script = new ArrayDeque<>();
    private final HecAckChannels acks = new HecAckChannels();
    private java.util.function.Predicate<JsonNode> poison = event -> false;
    private boolean namePoison;
    private volatile Duration latency = Duration.ZERO;
    private final StalledAnswers stalls = new StalledAnswers();
    private int port;
    private final javax.net.ssl.SSLContext tls;
    private HttpServer server;
    private ExecutorService executor;

    HecEmulator(String token, boolean ackEnabled, Set<String> allowedIndexes, javax.net.ssl.SSLContext tls) {
        this.token = token;
        this.ackEnabled = ackEnabled;
        this.allowedIndexes = Set.copyOf(allowedIndexes);
        this.tls = tls;
    }

    /** An emulator accepting {@code token}, any index, without indexer acknowledgement. */
    public static HecEmulator start(String token) {
        return builder().token(token).start();
    }

    public static HecEmulatorBuilder builder() {
        return new HecEmulatorBuilder();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234}: what an operator puts in DNSTAP_HEC_URL. */
    public URI url() {
        return URI.create((tls != null ? "https" : "http") + "://127.0.0.1:" + port);
    }

    public String token() {
        return token;
    }

    /** Starts listening; after {@link #stop()} on the same port as before. */
    public void start() {
        synchronized (lock) {
            try {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
                if (tls != null) {
                    HttpsServer https = HttpsServer.create(address, 64);
                    https.setHttpsConfigurator(new HttpsConfigurator(tls));
                    server = https;
                } else {
                    server = HttpServer.create(address, 64);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            executor = Executors.newCachedThreadPool(); // stalled answers hold a thread each
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
            port = server.getAddress().getPort();
        }
    }

    /** Stops listening: clients get connection refused until {@link #start()}. */
    public void stop() {
        synchronized (lock) {
            if (server != null) {
                server.stop(0);
                executor.shutdownNow();
                server = null;
            }
        }
    }

    @Override
    public void close() {
        stalls.release();
        stop();
    }

    /** Where an answer stops: after its headers, or half way through its body. */
    public enum Stall {
        AFTER_HEADERS, HALF_BODY
    }

    /**
     * From now on, answers to requests for these paths ({@code /services/collector/event},
     * {@code /services/collector/ack}) stop at {@code where} and never go on; an empty set ends the
     * stall for new requests (those already stalled stay so). Events of a stalled request to the
     * event path are not indexed: the client cannot know whether they were.
     */
    public void stallAnswers(Stall where, Set<String> paths) {
        stalls.set(where, paths);
    }

    /** Records a request whose answer stalls, then stalls it. */
    private void stallAnswer(HttpExchange exchange, Stall where, String path, java.time.Instant receivedAt, int bodyBytes)
            throws IOException {
        synchronized (lock) {
            requests.add(new HecRequest(receivedAt, exchange.getRequestMethod(), path,
                    HecRequestRules.headersOf(exchange), bodyBytes, 0, 0, 200, "(stalled " + where + ")"));
            lock.notifyAll();
        }
        stalls.serve(exchange, where);
    }

    /** Serves this response to the next request instead of handling it (FIFO). */
    public void enqueue(int status, String body, Map<String, String> headers) {
        synchronized (lock) {
            script.add(new HecAnswer(status, body, Map.copyOf(headers), 0, List.of()));
        }
    }

    /** The next {@code times} requests get 503 "Server is busy" (HEC code 9). */
    public void respondServerBusy(int times) {
        for (int i = 0; i < times; i++) {
            enqueue(503, "{\"text\":\"Server is busy\",\"code\":9}", Map.of());
        }
    }

    /** The next {@code times} requests get 429 with {@code Retry-After: retryAfterSeconds}. */
    public void respondTooManyRequests(int times, int retryAfterSeconds) {
        for (int i = 0; i < times; i++) {
            enqueue(429, "{\"text\":\"Too many requests\",\"code\":9}", Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
        }
    }

    /**
     * Makes the emulator refuse events matching {@code poison} with 400 "Invalid data format"
     * (code 6), as Splunk refuses data it cannot take. With {@code nameIt}, the answer names the
     * event ({@code invalid-event-number}) and the events before it are indexed, as Splunk does;
     * without, nothing of the request is indexed and no event is named.
     */
    public void rejectEvents(java.util.function.Predicate<JsonNode> poison, boolean nameIt) {
        synchronized (lock) {
            this.poison = poison;
            this.namePoison = nameIt;
        }
    }

    /** Answers every request only after {@code latency}, like a loaded indexer. */
    public void respondSlowly(Duration latency) {
        this.latency = latency;
    }

    /** While held, acks stay false when polled. */
    public void holdAcks(boolean hold) {
        acks.hold(hold);
    }

    /** Every event accepted so far, in arrival order. */
    public List<JsonNode> events() {
        synchronized (lock) {
            return List.copyOf(events);
        }
    }

    public int eventCount() {
        synchronized (lock) {
            return events.size();
        }
    }

    public List<HecRequest> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** Waits until at least {@code count} events were accepted; returns them, or fails after the timeout. */
    public List<JsonNode> awaitEvents(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (events.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("HEC emulator received " + events.size() + " events, expected " + count
                            + " within " + timeout);
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return List.copyOf(events);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        java.time.Instant receivedAt = java.time.Instant.now();
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!latency.isZero()) {
                try {
                    Thread.sleep(latency.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            String path = exchange.getRequestURI().getPath();
            Stall stall = stalls.of(path);
            if (stall != null) {
                stallAnswer(exchange, stall, path, receivedAt, body.length);
                return;
            }
            HecAnswer outcome = respond(exchange, path, body);
            synchronized (lock) {
                // Events and request are recorded together, before answering: whoever sees one sees
                // the other, and a client that saw the answer sees both.
                events.addAll(outcome.indexed());
                requests.add(new HecRequest(receivedAt, exchange.getRequestMethod(), path,
                        HecRequestRules.headersOf(exchange), body.length, outcome.decodedBytes(), outcome.indexed().size(),
                        outcome.status(), outcome.body()));
                lock.notifyAll();
            }
            byte[] response = outcome.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
            outcome.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(outcome.status(), response.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response);
            }
        }
    }

    private HecAnswer respond(HttpExchange exchange, String path, byte[] body) {
        synchronized (lock) {
            HecAnswer scripted = script.poll();
            if (scripted != null) {
                return scripted;
            }
        }
        if (path.equals("/services/collector/health")) {
            return HecAnswer.of(200, 17, "HEC is healthy");
        }
        HecAnswer refused = HecRequestRules.refusal(exchange, path, token, ackEnabled);
        if (refused != null) {
            return refused;
        }
        String channelId = HecRequestRules.channelOf(exchange);
        if (path.equals(HecRequestRules.ACK_PATH)) {
            return ackEnabled ? acks.answer(channelId, body) : HecAnswer.of(400, 14, "ACK is disabled");
        }
        byte[] decoded;
        try {
            decoded = HecEventRules.decode(body, exchange.getRequestHeaders().getFirst("Content-Encoding"));
        } catch (IOException e) {
            return HecAnswer.of(400, 6, "Invalid data format");
        }
        return index(decoded, channelId);
    }

    /**
     * Checks a request body as HEC does, without a running emulator: null when HEC would index
     * every event in it, else the body of HEC's error answer. For tests of what a renderer makes.
     */
    public static String rejection(byte[] body) {
        return HecEventRules.rejection(body);
    }

    private HecAnswer index(byte[] decoded, String channelId) {
        HecEventRules.Parsed parsed = HecEventRules.parse(decoded, allowedIndexes);
        List<JsonNode> accepted = parsed.accepted();
        HecAnswer error = parsed.error();
        if (error == null && accepted.isEmpty()) {
            error = HecAnswer.of(400, 5, "No data");
        }
        synchronized (lock) {
            for (int i = 0; error == null && i < accepted.size(); i++) {
                if (poison.test(accepted.get(i))) {
                    error = namePoison ? HecAnswer.invalidEvent(6, "Invalid data format", i) : HecAnswer.of(400, 6, "Invalid data format");
                    accepted = namePoison ? accepted.subList(0, i) : List.of();
                }
            }
            if (error != null) {
                return new HecAnswer(error.status(), error.body(), Map.of(), decoded.length, List.copyOf(accepted));
            }
            String body = "{\"text\":\"Success\",\"code\":0";
            if (ackEnabled) {
                body += ",\"ackId\":" + acks.issue(channelId);
            }
            return new HecAnswer(200, body + "}", Map.of(), decoded.length, List.copyOf(accepted));
        }
    }
}
