package io.dnstapforwarder.ops;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a service that started, in order, so that they stop in the reverse order: at
 * shutdown, and when start-up fails part way (an ops port taken, a bad CA file), so that nothing
 * that started keeps running behind an exception. Each part's stop has a deadline and runs on a
 * thread of its own: one that hangs (a Kafka client waiting for a broker that went away) is logged
 * and left behind, and the others still stop. Not thread-safe: one owner adds and closes.
 */
public final class StartedParts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StartedParts.class);

    /** How a part stops. */
    @FunctionalInterface
    public interface Stop {
        void stop() throws Exception;
    }

    private record Part(String name, Stop stop, Duration limit) {
    }

    private final String service;
    private final Deque<Part> parts = new ArrayDeque<>();
    private final List<String> late = new ArrayList<>();

    /** @param service what these are parts of, for the log */
    public StartedParts(String service) {
        this.service = service;
    }

    /** Records that {@code part} started; it is stopped by {@code stop}, within {@code limit}. Returns {@code part}. */
    public <T> T started(String name, T part, Duration limit, Stop stop) {
        parts.push(new Part(name, stop, limit));
        return part;
    }

    /** Records a started {@link AutoCloseable}, closed within {@code limit}. */
    public <T extends AutoCloseable> T started(String name, T part, Duration limit) {
        return started(name, part, limit, part::close);
    }

    /** Stops every part, the last started first, each within its deadline. */
    @Override
    public void close() {
        while (!parts.isEmpty()) {
            stop(parts.pop());
        }
    }

    /** The parts that did not stop within their deadline, so far. */
    public List<String> late() {
        return List.copyOf(late);
    }

    private void stop(Part part) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                part.stop().stop();
                stopped.complete(null);
            } catch (Throwable e) {
                stopped.completeExceptionally(e);
            }
        }, "dnstap-stop-" + part.name().replace(' ', '-'));
        thread.setDaemon(true); // one that never returns must not keep the process alive
        thread.start();
        try {
            stopped.get(part.limit().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            late.add(part.name());
            log.warn("Stopping the {}'s {} did not finish within {} s; going on without it", service, part.name(),
                    part.limit().toSeconds());
        } catch (ExecutionException e) {
            log.warn("Stopping the {}'s {} failed: {}", service, part.name(), e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            late.add(part.name());
        }
    }
}
