package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.time.Time;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Keeps a misconfiguration from emptying the stream into the dead-letter topic. It counts, over
 * the last minute, the events delivered and the events that would be dead-lettered; when more
 * than {@code maxPercent} of at least {@value #MIN_EVENTS} events would be, it closes: nothing is
 * dead-lettered for {@value #PAUSE_SECONDS} s, the records wait (so the partitions they come from
 * pause, and Kafka holds the rest), and readiness says why. Then it opens again with its counts
 * cleared: what is really bad data goes to the dead-letter topic after a delay, while a
 * misconfiguration closes it again at once. The way to dead-letter everything anyway is
 * {@code --dlq-max-percent 100}.
 *
 * <p>Counting is a few atomic additions per request, on one-second buckets. Thread-safe.
 */
public final class DeadLetterGate {

    static final int MIN_EVENTS = 100;
    static final int PAUSE_SECONDS = 60;
    private static final int BUCKETS = 60;
    private static final long SECOND = 1_000_000_000L;

    private final int maxPercent;
    private final Time time;
    /** Per one-second bucket: the second it counts, delivered events, rejected events. */
    private final AtomicLongArray seconds = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray delivered = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray rejected = new AtomicLongArray(BUCKETS);
    private volatile long closedUntil = Long.MIN_VALUE;
    private volatile String closedBecause;

    /** @param maxPercent the most of the events that may go to the dead-letter topic; 100 never closes */
    public DeadLetterGate(int maxPercent, Time time) {
        this.maxPercent = maxPercent;
        this.time = time;
    }

    /** {@code events} reached HEC. */
    public void delivered(int events) {
        add(delivered, events);
    }

    /** {@code events} are to be dead-lettered; may close the gate. */
    public void rejected(int events) {
        add(rejected, events);
        if (maxPercent >= 100 || !open()) {
            return;
        }
        long now = time.nanoTime() / SECOND;
        long good = sum(delivered, now);
        long bad = sum(rejected, now);
        if (good + bad >= MIN_EVENTS && bad * 100 > maxPercent * (good + bad)) {
            closedBecause = bad + " of the last " + (good + bad) + " events would go to the dead-letter topic, above "
                    + "--dlq-max-percent " + maxPercent + "; dead-lettering waits " + PAUSE_SECONDS + " s (a wrong "
                    + "index, sourcetype or URL?)";
            closedUntil = time.nanoTime() + PAUSE_SECONDS * SECOND;
            clearCounts();
        }
    }

    /** True while records may go to the dead-letter topic. */
    public boolean open() {
        return time.nanoTime() - closedUntil >= 0 || closedUntil == Long.MIN_VALUE;
    }

    /** Why the gate is closed, or null while it is open. */
    public String closedBecause() {
        return open() ? null : closedBecause;
    }

    private void add(AtomicLongArray counts, int events) {
        long now = time.nanoTime() / SECOND;
        int bucket = (int) Math.floorMod(now, (long) BUCKETS);
        long second = seconds.get(bucket);
        if (second != now && seconds.compareAndSet(bucket, second, now)) {
            delivered.set(bucket, 0); // a race may lose a few counts of the bucket's first instant: harmless
            rejected.set(bucket, 0);
        }
        counts.addAndGet(bucket, events);
    }

    private long sum(AtomicLongArray counts, long now) {
        long total = 0;
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            long age = now - seconds.get(bucket); // a cleared bucket (Long.MIN_VALUE) comes out negative
            if (age >= 0 && age < BUCKETS) {
                total += counts.get(bucket);
            }
        }
        return total;
    }

    private void clearCounts() {
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            seconds.set(bucket, Long.MIN_VALUE);
        }
    }
}
