package io.dnstapforwarder.ops;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Runs a service until the process is asked to stop (SIGTERM, or SIGINT from Ctrl-C), or a job until it is done. */
public final class Lifecycle {

    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private Lifecycle() {
    }

    /**
     * Blocks until SIGTERM or SIGINT arrives, then closes {@code service} on the calling thread
     * and returns, so the caller exits with status 0 once everything is flushed. (In a JVM
     * shutdown hook the process would exit with 143 or 130 instead, and System.exit would block.)
     */
    public static void runUntilStopped(String name, AutoCloseable service) throws Exception {
        runUntil(name, service, new CompletableFuture<>());
    }

    /**
     * Runs a job that ends by itself (a replay, a redrive) until {@code done} completes or SIGTERM
     * or SIGINT arrives, then closes it on the calling thread.
     *
     * @return true when the job ended by itself, false when a signal stopped it
     */
    public static boolean runUntil(String name, AutoCloseable job, CompletableFuture<?> done) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        AtomicBoolean signalled = new AtomicBoolean();
        for (String signal : List.of("TERM", "INT")) {
            Signal.handle(new Signal(signal), received -> {
                log.info("Received SIG{}, stopping {}", received.getName(), name);
                signalled.set(true);
                stop.countDown();
            });
        }
        done.whenComplete((result, error) -> stop.countDown());
        stop.await();
        job.close();
        log.info("{} stopped", name);
        return !signalled.get();
    }
}
