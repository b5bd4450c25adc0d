package io.dnstapforwarder.shipper.render;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * RFC 3339 UTC times with microseconds ({@code 2026-11-29T15:07:44.986965Z}), formatted fast: the
 * date and time up to the second is formatted once per second and reused, since consecutive
 * events are received within the same second. Not thread-safe.
 */
final class ReceiptTime {

    /** Longest text: a year of up to 9 digits with its sign, the rest of the date and time, microseconds. */
    static final int MAX_CHARS = 40;

    private long second = Long.MIN_VALUE;
    private char[] prefix; // up to and including the decimal point

    /** Writes the time into {@code out}; returns its length. */
    int write(long epochNanos, char[] out) {
        long epochSecond = Math.floorDiv(epochNanos, 1_000_000_000L);
        if (epochSecond != second) {
            second = epochSecond;
            String whole = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochSecond)); // ...:44Z
            prefix = (whole.substring(0, whole.length() - 1) + ".").toCharArray();
        }
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        int end = prefix.length + 6;
        long micros = Math.floorMod(epochNanos, 1_000_000_000L) / 1000;
        for (int at = end - 1; at >= prefix.length; at--) {
            out[at] = (char) ('0' + micros % 10);
            micros /= 10;
        }
        out[end] = 'Z';
        return end + 1;
    }

    /** As a string, for tests. */
    String format(long epochNanos) {
        char[] buffer = new char[MAX_CHARS];
        return new String(buffer, 0, write(epochNanos, buffer));
    }
}
