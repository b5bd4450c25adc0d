package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.Hash64;

/**
 * {@code event_id}: the same Kafka record always gives the same id, so that {@code dedup event_id}
 * in Splunk removes every copy that at-least-once delivery sent again (a retry after a timeout, a
 * restart before a commit, a replay). 96 bits in 16 characters of base64url (every byte of an
 * event is licensed): a 64-bit hash of what makes the record itself (the collector, the
 * connection, the dnstap frame) and 32 bits of the collector's receipt time mixed with it. Two
 * records of different times share an id with odds of 2^-96 a pair; records a collector stamped in
 * the same nanosecond (it reads frames in batches) need their frames' 64-bit hashes to collide.
 * A transaction's event is the pair's: the response's id mixed with the query's. Stateless.
 */
final class EventIds {

    private static final long SEED = 0x9E3779B97F4A7C15L;
    private static final char[] BASE64URL =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
    /** Characters of an id. */
    static final int LENGTH = 16;

    private EventIds() {
    }

    /** The id of the event of {@code envelope}, or of the pair it makes with {@code query} (null for none). */
    static void write(DnstapEvent envelope, DnstapEvent query, char[] text, JsonWriter out) {
        long hash = hash(envelope);
        long time = envelope.getReceivedAtNs();
        if (query != null) {
            hash = Hash64.finish(hash ^ Long.rotateLeft(hash(query), 29));
            time ^= Long.rotateLeft(query.getReceivedAtNs(), 17);
        }
        int low = (int) Hash64.finish(time ^ hash);
        for (int i = 0; i < 10; i++) { // 60 bits of the hash, 6 a character
            text[i] = BASE64URL[(int) (hash >>> (58 - 6 * i)) & 0x3F];
        }
        long rest = (hash & 0xF) << 32 | (low & 0xFFFFFFFFL); // its last 4 bits and the 32 of the time: 36
        for (int i = 0; i < 6; i++) {
            text[10 + i] = BASE64URL[(int) (rest >>> (30 - 6 * i)) & 0x3F];
        }
        out.field(HecFields.EVENT_ID);
        out.string(text, 0, LENGTH);
    }

    /** A 64-bit hash of the record's collector, connection and frame. */
    static long hash(DnstapEvent envelope) {
        long frame = Hash64.of(envelope.getFrame().toByteArray());
        return Hash64.finish(frame ^ Long.rotateLeft(Hash64.of(envelope.getCollectorIdBytes().toByteArray()), 21)
                ^ envelope.getConnectionId() * SEED);
    }
}
