package io.dnstapforwarder.shipper.render;

import com.fasterxml.jackson.core.SerializableString;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * DNS mnemonics (types, classes, opcodes, rcodes) from dnsjava, each encoded for JSON once and
 * then reused: the same few dozen values are written millions of times. Thread-safe.
 */
final class Mnemonics {

    private final IntFunction<String> name;
    private final AtomicReferenceArray<SerializableString> encoded;

    /** @param size one more than the largest value (65536 for 16-bit values) */
    Mnemonics(int size, IntFunction<String> name) {
        this.name = name;
        this.encoded = new AtomicReferenceArray<>(size);
    }

    SerializableString of(int value) {
        SerializableString known = encoded.get(value);
        if (known == null) {
            known = HecFields.name(name.apply(value));
            encoded.set(value, known); // a race writes the same value twice, harmlessly
        }
        return known;
    }
}
