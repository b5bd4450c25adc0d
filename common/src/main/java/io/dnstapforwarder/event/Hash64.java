package io.dnstapforwarder.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A 64-bit hash of bytes for keys and ids (a transaction's key, an event's id): MurmurHash3's
 * 64-bit mixing, eight bytes at a time, then its finalizer, so that every bit of the result
 * depends on every byte. (Byte at a time, a hash's multiply chain was most of a key's cost.)
 * Little-endian words, so the hash is the same on every machine, and so across versions: the
 * collector's transaction keys depend on it.
 */
public final class Hash64 {

    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Hash64() {
    }

    /** The hash of {@code bytes}. */
    public static long of(byte[] bytes) {
        long hash = bytes.length * 0x9E3779B97F4A7C15L;
        int at = 0;
        for (; at + Long.BYTES <= bytes.length; at += Long.BYTES) {
            hash = mix(hash, (long) WORDS.get(bytes, at));
        }
        long tail = 0;
        for (int shift = 0; at < bytes.length; at++, shift += 8) {
            tail |= (bytes[at] & 0xFFL) << shift;
        }
        return finish(mix(hash, tail));
    }

    /** MurmurHash3's finalizer: every bit of the input moves every bit of the output. */
    public static long finish(long value) {
        long hash = value;
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }

    private static long mix(long hash, long word) {
        long k = word * 0x87c37b91114253d5L;
        k = Long.rotateLeft(k, 31) * 0x4cf5ad432745937fL;
        return Long.rotateLeft(hash ^ k, 27) * 5 + 0x52dce729;
    }
}
