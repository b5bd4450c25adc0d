package io.dnstapforwarder.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Reading the benchmarks need of HEC events as the shipper writes them, one per line. */
public final class HecEvents {

    private static final byte[] RECEIVED_AT = "\"received_at\":\"".getBytes(StandardCharsets.US_ASCII);

    private HecEvents() {
    }

    /** What is told, for each event of a request body that has a {@code received_at}. */
    @FunctionalInterface
    public interface ReceivedAt {
        void event(long receivedAtMicros);
    }

    /** Tells {@code each} the receipt time of every event of {@code body} (one per line); returns the number of events. */
    public static long forEachReceivedAt(byte[] body, ReceivedAt each) {
        long lines = 0;
        int lineStart = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                lines++;
                long received = receivedAtMicros(body, lineStart, i);
                if (received > 0) {
                    each.event(received);
                }
                lineStart = i + 1;
            }
        }
        return lines;
    }

    /**
     * The {@code received_at} (ISO-8601, microseconds) of the event in {@code body[from, to)}, in
     * epoch microseconds, or -1: when the collector received the frame, for latencies.
     */
    public static long receivedAtMicros(byte[] body, int from, int to) {
        outer:
        for (int i = to - RECEIVED_AT.length; i >= from; i--) {
            for (int j = 0; j < RECEIVED_AT.length; j++) {
                if (body[i + j] != RECEIVED_AT[j]) {
                    continue outer;
                }
            }
            int start = i + RECEIVED_AT.length;
            int end = start;
            while (end < to && body[end] != '"') {
                end++;
            }
            Instant at = Instant.parse(new String(body, start, end - start, StandardCharsets.US_ASCII));
            return at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
        }
        return -1;
    }
}
