package io.dnstapforwarder.shipper.render;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * DNS mnemonics (types, classes, opcodes, rcodes) from dnsjava, each encoded for JSON once and
 * then reused: the same few dozen values are written millions of times. Thread-safe.
 */
final class Mnemonics {

    private final IntFunction<String> name;
    private final AtomicReferenceArray<byte[]> encoded;

    /** @param size one more than the largest value (65536 for 16-bit values) */
    Mnemonics(int size, IntFunction<String> name) {
        this.name = name;
        this.encoded = new AtomicReferenceArray<>(size);
    }

    /** The value's mnemonic as a JSON string, e.g. {@code "AAAA"}. */
    byte[] of(int value) {
        byte[] known = encoded.get(value);
        if (known == null) {
            known = JsonWriter.quoted(name.apply(value));
            encoded.set(value, known); // a race writes the same value twice, harmlessly
        }
        return known;
    }
}
