package io.dnstapforwarder.shipper.render;

/**
 * Times as HEC wants them: seconds since the epoch with six decimals (microseconds), written as
 * digits into a caller's buffer, because every event carries two or three of them.
 */
final class EpochTime {

    /** Longest text: a sign, 19 digits of seconds, a point, six decimals. */
    static final int MAX_CHARS = 27;

    private EpochTime() {
    }

    /**
     * Writes e.g. {@code 1795964864.986965} (nanoseconds truncated) into {@code out}; returns its
     * length. Any {@code epochSeconds} is written, and {@code nanos} is taken below one second;
     * whether the time makes sense is {@link DnsTimes}' question.
     */
    static int write(long epochSeconds, long nanos, char[] out) {
        int at = MAX_CHARS;
        long micros = Math.floorMod(nanos, 1_000_000_000L) / 1000;
        for (int i = 0; i < 6; i++) {
            out[--at] = (char) ('0' + micros % 10);
            micros /= 10;
        }
        out[--at] = '.';
        long seconds = epochSeconds < 0 ? -epochSeconds : epochSeconds; // Long.MIN_VALUE stays negative: unsigned below
        do {
            out[--at] = (char) ('0' + Long.remainderUnsigned(seconds, 10));
            seconds = Long.divideUnsigned(seconds, 10);
        } while (seconds != 0);
        if (epochSeconds < 0) {
            out[--at] = '-';
        }
        int length = MAX_CHARS - at;
        System.arraycopy(out, at, out, 0, length);
        return length;
    }

    /** The same for a count of nanoseconds since the epoch (or a duration). */
    static int write(long epochNanos, char[] out) {
        return write(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L), out);
    }

    /** As a string, for tests and rare paths. */
    static String seconds(long epochSeconds, long nanos) {
        char[] buffer = new char[MAX_CHARS];
        return new String(buffer, 0, write(epochSeconds, nanos, buffer));
    }
}
