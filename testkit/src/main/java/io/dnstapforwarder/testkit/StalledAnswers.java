package io.dnstapforwarder.testkit;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The HEC emulator's peers that stop mid-way: which paths stall where, and the serving of such an
 * answer (the status line and headers, maybe half the body, then nothing until {@link #release()}).
 * Thread-safe.
 */
final class StalledAnswers {

    private final Map<HecEmulator.Stall, Set<String>> stalls = new EnumMap<>(HecEmulator.Stall.class);
    private static final Duration LONGEST_STALL = Duration.ofMinutes(10);

    private final CountDownLatch released = new CountDownLatch(1);

    synchronized void set(HecEmulator.Stall where, Set<String> paths) {
        stalls.put(where, Set.copyOf(paths));
    }

    /** Where answers to {@code path} stall, or null when they do not. */
    synchronized HecEmulator.Stall of(String path) {
        for (Map.Entry<HecEmulator.Stall, Set<String>> stall : stalls.entrySet()) {
            if (stall.getValue().contains(path)) {
                return stall.getKey();
            }
        }
        return null;
    }

    /**
     * Answers the way a stalled peer does, and holds the connection until {@link #release()}, or
     * {@link #LONGEST_STALL} at most (an emulator a test forgot to close must not hold a thread for ever).
     */
    void serve(HttpExchange exchange, HecEmulator.Stall where) throws IOException {
        byte[] response = "{\"text\":\"Success\",\"code\":0}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(200, response.length);
        OutputStream out = exchange.getResponseBody();
        if (where == HecEmulator.Stall.HALF_BODY) {
            out.write(response, 0, response.length / 2);
            out.flush();
        }
        try {
            released.await(LONGEST_STALL.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets every stalled answer end (the emulator is closing). */
    void release() {
        released.countDown();
    }
}
