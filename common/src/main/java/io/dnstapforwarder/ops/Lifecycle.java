package io.dnstapforwarder.ops;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Runs a service until the process is asked to stop (SIGTERM, or SIGINT from Ctrl-C). */
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
        CountDownLatch stop = new CountDownLatch(1);
        for (String signal : List.of("TERM", "INT")) {
            Signal.handle(new Signal(signal), received -> {
                log.info("Received SIG{}, stopping {}", received.getName(), name);
                stop.countDown();
            });
        }
        stop.await();
        service.close();
        log.info("{} stopped", name);
    }
}
