package io.dnstapforwarder.shipper.render;

import java.time.Instant;

/** Times as HEC wants them: seconds since the epoch with six decimals (microseconds). */
final class EpochTime {

    private EpochTime() {
    }

    /** e.g. {@code 1795964864.986965}; nanoseconds are truncated to microseconds. */
    static String seconds(long epochSeconds, long nanos) {
        long micros = nanos / 1000;
        StringBuilder text = new StringBuilder(20).append(epochSeconds).append('.');
        String fraction = Long.toString(micros);
        for (int pad = fraction.length(); pad < 6; pad++) {
            text.append('0');
        }
        return text.append(fraction).toString();
    }

    static String seconds(long epochNanos) {
        return seconds(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    /** RFC 3339 UTC with microseconds, e.g. {@code 2026-11-29T15:07:44.986965Z}. */
    static String rfc3339(long epochNanos) {
        Instant instant = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L) / 1000 * 1000);
        return java.time.format.DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
