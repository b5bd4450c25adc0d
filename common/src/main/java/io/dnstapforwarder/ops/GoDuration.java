package io.dnstapforwarder.ops;

import java.time.Duration;

/**
 * A duration written as Go's {@code time.Duration} prints one rounded to the second, e.g.
 * {@code 2h30m15s}, {@code 1m0s}, {@code 0s}: the Go dnstap-forwarder's {@code /health} wrote its
 * uptime so, and its users' scripts read it so.
 */
public final class GoDuration {

    private GoDuration() {
    }

    public static String format(Duration duration) {
        long seconds = Math.max(0, duration.plusMillis(500).toSeconds());
        long hours = seconds / 3600;
        long minutes = seconds % 3600 / 60;
        long rest = seconds % 60;
        if (hours > 0) {
            return hours + "h" + minutes + "m" + rest + "s";
        }
        return minutes > 0 ? minutes + "m" + rest + "s" : rest + "s";
    }
}
