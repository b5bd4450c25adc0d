package io.dnstapforwarder.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * The one seam for time, as Kafka's own {@code Time}: the wall clock (for timestamps), the
 * monotonic clock (for durations and deadlines, never for timestamps) and waiting on purpose.
 * Main code asks this and never {@code System} or {@code Thread} directly, so that tests decide
 * what time it is ({@code TestTime} in testkit advances when code sleeps) instead of waiting.
 */
public interface Time {

    /** The real clocks, and real waiting. */
    Time SYSTEM = new Time() {
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
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        }
    };

    /** Wall-clock time: what to put in a timestamp. */
    Instant now();

    /** Monotonic nanoseconds, from an arbitrary origin: what to measure durations and deadlines with. */
    long nanoTime();

    /** Waits on purpose (a backoff, a pause); an interrupt ends it with {@link InterruptedException}. */
    void sleep(Duration duration) throws InterruptedException;

    /** The wall clock as a {@link Clock} (UTC), for APIs that take one. */
    default Clock clock() {
        return new TimeClock(this, ZoneOffset.UTC);
    }

    /** A {@link Clock} that reads a {@link Time}. */
    final class TimeClock extends Clock {
        private final Time time;
        private final ZoneId zone;

        TimeClock(Time time, ZoneId zone) {
            this.time = time;
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId other) {
            return new TimeClock(time, other);
        }

        @Override
        public Instant instant() {
            return time.now();
        }
    }
}
