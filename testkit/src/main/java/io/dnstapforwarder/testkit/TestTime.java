package io.dnstapforwarder.testkit;

import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Time for tests: the real clocks, but waits on purpose are recorded and return at once (or, with
 * {@link #waitingAtMost}, wait no longer than that), so that rules about waiting are checked
 * without waiting.
 */
public final class TestTime implements Time {

    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final Duration longestWait;

    private TestTime(Duration longestWait) {
        this.longestWait = longestWait;
    }

    /** Records every wait and returns at once. */
    public static TestTime recording() {
        return new TestTime(Duration.ZERO);
    }

    /** Records every wait and waits at most {@code longest} of it (for loops that must not spin). */
    public static TestTime waitingAtMost(Duration longest) {
        return new TestTime(longest);
    }

    /** The waits asked for so far, in order. */
    public List<Duration> sleeps() {
        return sleeps;
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        sleeps.add(duration);
        Duration wait = duration.compareTo(longestWait) < 0 ? duration : longestWait;
        if (!wait.isZero() && !wait.isNegative()) {
            Time.SYSTEM.sleep(wait);
        } else if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }
}
