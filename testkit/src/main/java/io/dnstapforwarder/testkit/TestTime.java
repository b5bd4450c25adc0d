package io.dnstapforwarder.testkit;

import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time for tests. Waits on purpose are recorded and return at once (or, with
 * {@link #waitingAtMost}, wait no longer than that), so that rules about waiting are checked
 * without waiting; the wall clock may be fixed ({@link #at}) and the monotonic clock moved by hand
 * ({@link #manual}, {@link #advance}).
 */
public final class TestTime implements Time {

    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final Duration longestWait;
    private final Instant fixedNow;
    private final AtomicLong manualNanos;

    private TestTime(Duration longestWait, Instant fixedNow, AtomicLong manualNanos) {
        this.longestWait = longestWait;
        this.fixedNow = fixedNow;
        this.manualNanos = manualNanos;
    }

    /** The real clocks; every wait recorded and returning at once. */
    public static TestTime recording() {
        return new TestTime(Duration.ZERO, null, null);
    }

    /** The real clocks; every wait recorded and waiting at most {@code longest} (for loops that must not spin). */
    public static TestTime waitingAtMost(Duration longest) {
        return new TestTime(longest, null, null);
    }

    /** A monotonic clock that stands still until {@link #advance}d; waits recorded and returning at once. */
    public static TestTime manual() {
        return new TestTime(Duration.ZERO, null, new AtomicLong());
    }

    /** The same, with the wall clock fixed at {@code now}. */
    public TestTime at(Instant now) {
        return new TestTime(longestWait, now, manualNanos);
    }

    /** Moves the manual monotonic clock on. */
    public void advance(Duration duration) {
        if (manualNanos == null) {
            throw new IllegalStateException("advance() needs TestTime.manual()");
        }
        manualNanos.addAndGet(duration.toNanos());
    }

    /** The waits asked for so far, in order. */
    public List<Duration> sleeps() {
        return sleeps;
    }

    @Override
    public Instant now() {
        return fixedNow != null ? fixedNow : Instant.now();
    }

    @Override
    public long nanoTime() {
        return manualNanos != null ? manualNanos.get() : System.nanoTime();
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
