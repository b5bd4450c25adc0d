package io.dnstapforwarder.shipper.render;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * RFC 3339 UTC times with microseconds ({@code 2026-11-29T15:07:44.986965Z}), formatted fast: the
 * date and time up to the second is formatted once per second and reused, since consecutive
 * events are received within the same second. Not thread-safe.
 */
final class ReceiptTime {

    private long second = Long.MIN_VALUE;
    private String prefix;

    String format(long epochNanos) {
        long epochSecond = Math.floorDiv(epochNanos, 1_000_000_000L);
        if (epochSecond != second) {
            second = epochSecond;
            String whole = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochSecond)); // ...:44Z
            prefix = whole.substring(0, whole.length() - 1) + ".";
        }
        long micros = Math.floorMod(epochNanos, 1_000_000_000L) / 1000;
        StringBuilder text = new StringBuilder(prefix.length() + 7).append(prefix);
        String digits = Long.toString(micros);
        for (int pad = digits.length(); pad < 6; pad++) {
            text.append('0');
        }
        return text.append(digits).append('Z').toString();
    }
}
