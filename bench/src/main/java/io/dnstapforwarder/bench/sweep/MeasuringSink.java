package io.dnstapforwarder.bench.sweep;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dnstapforwarder.bench.HecEndpoint;
import io.dnstapforwarder.bench.HecEvents;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;

/**
 * A HEC endpoint for the rate sweep, in the sweep's own process: it takes every request as HEC
 * does, counts the events, and keeps for each the time from the collector's receipt
 * ({@code received_at}) to here, so that each rate of the sweep gets its own latency
 * percentiles ({@link #window}).
 */
final class MeasuringSink implements AutoCloseable {

    /** What the sink saw since the last window. */
    record Window(long events, long requests, double p50, double p99, double max) {
    }

    private final HttpServer server;
    private long events;
    private long requests;
    private long[] latenciesMicros = new long[1 << 16];
    private int latencies;

    MeasuringSink(int port) throws IOException {
        server = HecEndpoint.start("127.0.0.1", port, 4, this::handle);
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Counts and latencies since the previous call; starts a new window. */
    synchronized Window window() {
        long[] sorted = Arrays.copyOf(latenciesMicros, latencies);
        Arrays.sort(sorted);
        Window window = new Window(events, requests, quantile(sorted, 0.50), quantile(sorted, 0.99),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        events = 0;
        requests = 0;
        latencies = 0;
        return window;
    }

    private static double quantile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = HecEndpoint.body(exchange)) {
            body = in.readAllBytes();
        }
        long nowMicros = Instant.now().toEpochMilli() * 1000;
        LongList found = new LongList();
        long lines = HecEvents.forEachReceivedAt(body, received -> found.add(nowMicros - received));
        record(lines, found.values, found.size);
        HecEndpoint.success(exchange);
    }

    private synchronized void record(long lines, long[] found, int count) {
        events += lines;
        requests++;
        if (latencies + count > latenciesMicros.length) {
            latenciesMicros = Arrays.copyOf(latenciesMicros, Math.max(latenciesMicros.length * 2, latencies + count));
        }
        System.arraycopy(found, 0, latenciesMicros, latencies, count);
        latencies += count;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The latencies of one request, before they are added to the sink's under its lock. */
    private static final class LongList {
        long[] values = new long[64];
        int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }
    }
}
