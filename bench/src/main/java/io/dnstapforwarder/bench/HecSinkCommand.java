package io.dnstapforwarder.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dnstapforwarder.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A HEC endpoint for benchmarks: accepts every request to {@code /services/collector/event},
 * decompresses it and counts its events (one per line), and answers as HEC does. It prints the
 * rate every second and, once {@code --expect} events arrived, the drain rate from the first to
 * the last request. With {@code --latency} it also reads each event's {@code received_at} (when
 * the collector received the frame) and reports percentiles of the time until delivery.
 */
@Command(name = "hec-sink", mixinStandardHelpOptions = true,
        description = "Accept and count HEC events as fast as possible; report rates and, optionally, latency.")
public final class HecSinkCommand implements Callable<Integer> {

    @Option(names = "--listen", defaultValue = "127.0.0.1:18088", converter = HostPort.Converter.class,
            description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    private HostPort listen;

    @Option(names = "--expect", defaultValue = "0", description = "Stop after this many events; 0 runs until killed.")
    private long expect;

    @Option(names = "--latency", description = "Measure each event's time from collector receipt to here.")
    private boolean latency;

    @Option(names = "--warmup-sec", defaultValue = "10",
            description = "Leave out of the latency the events received in the first seconds (JIT warm-up of the "
                    + "services). Default: ${DEFAULT-VALUE}.")
    private long warmupSec;

    @Option(names = "--threads", defaultValue = "4", description = "Request threads. Default: ${DEFAULT-VALUE}.")
    private int threads;

    private final AtomicLong events = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong firstNanos = new AtomicLong();
    private volatile long lastNanos;
    private final CountDownLatch done = new CountDownLatch(1);
    private long[] latenciesMicros = new long[1 << 20];
    private int latencyCount;
    private long firstReceivedMicros = -1;

    @Override
    public Integer call() throws Exception {
        HttpServer server = HecEndpoint.start(listen.host(), listen.port(), threads, this::handle);
        System.out.println("hec-sink listening on " + listen);
        long last = 0;
        while (!done.await(1, TimeUnit.SECONDS)) {
            long now = events.get();
            if (now != last) {
                System.out.printf("%s events/s %,d total %,d requests %,d%n", Instant.now(), now - last, now,
                        requests.get());
            }
            last = now;
        }
        server.stop(0);
        double seconds = (lastNanos - firstNanos.get()) / 1e9;
        System.out.printf("DONE events %,d requests %,d in %.2f s from first to last request: %,.0f events/s%n",
                events.get(), requests.get(), seconds, events.get() / seconds);
        if (latency) {
            printLatency();
        }
        System.exit(0);
        return 0;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        firstNanos.compareAndSet(0, start);
        long count;
        try (InputStream body = HecEndpoint.body(exchange)) {
            count = latency ? countWithLatency(body.readAllBytes()) : countLines(body);
        }
        HecEndpoint.success(exchange);
        requests.incrementAndGet();
        lastNanos = System.nanoTime();
        if (expect > 0 && events.addAndGet(count) >= expect) {
            done.countDown();
        } else if (expect == 0) {
            events.addAndGet(count);
        }
    }

    private static long countLines(InputStream body) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long lines = 0;
        for (int n; (n = body.read(buffer)) > 0; ) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    private long countWithLatency(byte[] body) {
        long nowMicros = Instant.now().toEpochMilli() * 1000;
        return HecEvents.forEachReceivedAt(body, received -> record(received, nowMicros - received));
    }

    private synchronized void record(long receivedMicros, long micros) {
        if (firstReceivedMicros < 0 || receivedMicros < firstReceivedMicros) {
            firstReceivedMicros = receivedMicros;
        }
        if (receivedMicros - firstReceivedMicros < warmupSec * 1_000_000) {
            return;
        }
        if (latencyCount == latenciesMicros.length) {
            latenciesMicros = Arrays.copyOf(latenciesMicros, latenciesMicros.length * 2);
        }
        latenciesMicros[latencyCount++] = micros;
    }

    private synchronized void printLatency() {
        long[] sorted = Arrays.copyOf(latenciesMicros, latencyCount);
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            return;
        }
        System.out.printf("LATENCY (after %d s of warm-up) events %,d p50 %.3f s p90 %.3f s p99 %.3f s p99.9 %.3f s max %.3f s%n", warmupSec,
                sorted.length,
                at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99), at(sorted, 0.999), sorted[sorted.length - 1] / 1e6);
    }

    private static double at(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e6;
    }
}
