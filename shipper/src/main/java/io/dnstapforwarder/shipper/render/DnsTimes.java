package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.dnstap.Message;

/**
 * The query and response times of a dnstap message, each kept only when it is a time at all:
 * seconds from 1970 up to 2100 and nanoseconds below one second. A DNS server with a broken
 * clock, or a hostile sender, can put anything in these fields (they are 64 and 32 bits
 * unsigned); such a value becomes neither the event's {@code time} nor a timestamp field, and
 * {@code time_error} says what it was, so the event still reaches Splunk, at its time of receipt.
 */
record DnsTimes(boolean query, boolean response, String error) {

    /** 2100-01-01T00:00:00Z: no DNS server's clock that works says later. */
    static final long LATEST_SECONDS = 4_102_444_800L;

    static DnsTimes of(Message message) {
        if (message == null) {
            return new DnsTimes(false, false, null);
        }
        boolean query = message.hasQueryTimeSec() && sane(message.getQueryTimeSec(), message.getQueryTimeNsec());
        boolean response = message.hasResponseTimeSec()
                && sane(message.getResponseTimeSec(), message.getResponseTimeNsec());
        String error = null;
        if (message.hasQueryTimeSec() && !query) {
            error = describe("query", message.getQueryTimeSec(), message.getQueryTimeNsec());
        }
        if (message.hasResponseTimeSec() && !response) {
            String responseError = describe("response", message.getResponseTimeSec(), message.getResponseTimeNsec());
            error = error == null ? responseError : error + "; " + responseError;
        }
        return new DnsTimes(query, response, error);
    }

    private static boolean sane(long seconds, int nanos) {
        return seconds >= 0 && seconds < LATEST_SECONDS && Integer.toUnsignedLong(nanos) < 1_000_000_000L;
    }

    private static String describe(String which, long seconds, int nanos) {
        return which + "_time_sec " + Long.toUnsignedString(seconds) + " and " + which + "_time_nsec "
                + Integer.toUnsignedString(nanos) + " are not a time between 1970 and 2100";
    }
}
