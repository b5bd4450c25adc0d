package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.event.DnstapPeek;

/**
 * Deterministic 1-in-N sampling: an event is kept when a hash of its question name (case folded)
 * and its client address falls in the kept Nth. A query and its response share both, so a
 * transaction is kept or dropped whole, on every shipper alike; and the same client asking the
 * same name again is treated alike (a rate of N means 1/N of distinct client-name pairs, which is
 * what license arithmetic and "who asks for this name" need).
 */
final class Sampling {

    private Sampling() {
    }

    static boolean keeps(DnstapPeek peek, int rate) {
        long hash = 0xCBF29CE484222325L;
        byte[] bytes = peek.bytes();
        for (int i = peek.qnameStart(), end = peek.qnameEnd(); i >= 0 && i < end; i++) {
            byte b = bytes[i];
            hash = (hash ^ (b >= 'A' && b <= 'Z' ? b + 32 : b & 0xFF)) * 0x100000001B3L;
        }
        for (int i = peek.clientStart(), end = i + peek.clientLength(); i >= 0 && i < end; i++) {
            hash = (hash ^ (bytes[i] & 0xFF)) * 0x100000001B3L;
        }
        hash ^= hash >>> 29; // FNV's low bits mix poorly; fold the high ones in
        return Long.remainderUnsigned(hash, rate) == 0;
    }
}
