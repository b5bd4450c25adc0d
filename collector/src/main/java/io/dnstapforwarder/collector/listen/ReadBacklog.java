package io.dnstapforwarder.collector.listen;

/**
 * What a DNS server had written ahead of its connection's reader: the bytes the reader took from a
 * wake-up until it found the socket empty (a read that left room in its buffer). A backlog near the
 * socket's buffer means the server is about to block on its writes and drop what its own dnstap
 * queue cannot hold, often without a word (docs/PERFORMANCE.md, "Live servers").
 */
final class ReadBacklog {

    /** Returned while the socket still had more than the buffer took. */
    static final long STILL_READING = -1;

    private long bytes;

    /**
     * After a read of {@code read} bytes; {@code emptied} when it left room in the buffer.
     *
     * @return the backlog just taken, once the socket is empty and something was read since the last
     *     one; {@link #STILL_READING} otherwise
     */
    long afterRead(int read, boolean emptied) {
        if (read > 0) {
            bytes += read;
        }
        if (!emptied || bytes == 0) {
            return STILL_READING;
        }
        long taken = bytes;
        bytes = 0;
        return taken;
    }
}
