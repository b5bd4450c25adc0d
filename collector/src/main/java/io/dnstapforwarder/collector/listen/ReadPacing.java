package io.dnstapforwarder.collector.listen;

/**
 * How long a connection's reader pauses between reads, so that a DNS server sending a few
 * hundred messages a second costs a few wake-ups a second rather than one per message.
 */
final class ReadPacing {

    /**
     * What a reader aims to take per wake-up. A DNS server writes each message as it comes;
     * reading each on a wake-up of its own was most of the collector's CPU at a few hundred
     * messages a second. So after a read the reader pauses for about the time this many bytes take
     * to arrive at the rate just seen (at most {@code maxReadPause}). A Unix socket holds only about
     * 36 KiB of 130-byte frames before the sender blocks (per-write overhead): 8 KiB leaves it
     * room for the rate to quadruple during a pause.
     */
    static final int BYTES_PER_WAKE_UP = 8 * 1024;
    /** Shorter pauses than this are not worth a wake-up of their own: the reader reads on. */
    private static final long MIN_PAUSE_NANOS = 1_000_000;

    /**
     * How long to wait before the next read, so that it takes about {@link #BYTES_PER_WAKE_UP}:
     * at the rate of the read just done ({@code bytes} arrived in {@code listened}), at most
     * {@code maxPause}; none when the data comes fast enough that a pause would be shorter than a
     * millisecond. (A read that filled the buffer never pauses: more is waiting.)
     */
    static long pauseNanos(long bytes, long listened, long maxPause) {
        if (bytes <= 0 || listened <= 0 || maxPause <= 0) {
            return 0;
        }
        double nanosForWakeUpBytes = (double) listened * BYTES_PER_WAKE_UP / bytes;
        long pause = (long) Math.min(maxPause, nanosForWakeUpBytes);
        return pause < MIN_PAUSE_NANOS ? 0 : pause;
    }

    private ReadPacing() {
    }
}
