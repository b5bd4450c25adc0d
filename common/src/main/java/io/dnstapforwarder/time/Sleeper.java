package io.dnstapforwarder.time;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waiting on purpose (a pause that keeps a refused sender from spinning, say), as a seam: tests
 * give a sleeper that records what was asked and returns at once, so rules about waiting are
 * checked without waiting.
 */
@FunctionalInterface
public interface Sleeper {

    /** Really waits. */
    Sleeper SYSTEM = duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());

    void sleep(Duration duration) throws InterruptedException;
}
