package io.dnstapforwarder.shipper.shape;

import java.util.Collection;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Domain suffixes (whole labels: {@code example.com} holds {@code www.example.com} and itself, not
 * {@code badexample.com}), matched against a name in DNS wire form without building anything: one
 * hash lookup per label of the name, however many suffixes there are (100,000 cost what 10 do).
 * Case-insensitive, as DNS names are. Immutable.
 */
public final class SuffixSet {

    private static final SuffixSet EMPTY = new SuffixSet(new byte[1][], 0);

    /** Open addressing: each slot holds a suffix's lower-case wire form, or null. */
    private final byte[][] slots;
    private final int size;

    private SuffixSet(byte[][] slots, int size) {
        this.slots = slots;
        this.size = size;
    }

    public static SuffixSet empty() {
        return EMPTY;
    }

    /**
     * The set of {@code names} in presentation form ({@code example.com} or {@code example.com.});
     * {@code option} names the setting in the error for a name that is not one.
     */
    public static SuffixSet of(Collection<String> names, String option) {
        if (names.isEmpty()) {
            return EMPTY;
        }
        byte[][] slots = new byte[Integer.highestOneBit(Math.max(4, names.size() * 2)) * 2][];
        int size = 0;
        for (String text : names) {
            byte[] wire;
            try {
                wire = Name.fromString(text.strip(), Name.root).toWireCanonical();
            } catch (TextParseException e) {
                throw io.dnstapforwarder.config.ConfigException.invalid(option, text, "is not a domain name: "
                        + e.getMessage());
            }
            int slot = slotOf(slots, wire, 0, wire.length);
            if (slots[slot] == null) {
                slots[slot] = wire;
                size++;
            }
        }
        return new SuffixSet(slots, size);
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Whether the name in wire form in {@code bytes[start, end)} (ending with the root label) has a suffix here. */
    public boolean matches(byte[] bytes, int start, int end) {
        if (size == 0) {
            return false;
        }
        int at = start;
        while (at < end) {
            if (slots[slotOf(slots, bytes, at, end)] != null) {
                return true;
            }
            int label = bytes[at] & 0xFF;
            if (label == 0) {
                return false;
            }
            at += label + 1;
        }
        return false;
    }

    /** The slot holding {@code bytes[from, to)}, or the empty slot where it would go. */
    private static int slotOf(byte[][] slots, byte[] bytes, int from, int to) {
        int mask = slots.length - 1;
        int slot = hash(bytes, from, to) & mask;
        while (slots[slot] != null && !sameName(slots[slot], bytes, from, to)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static int hash(byte[] bytes, int from, int to) {
        int hash = 0x811C9DC5;
        for (int i = from; i < to; i++) {
            hash = (hash ^ lower(bytes[i])) * 0x01000193;
        }
        return hash ^ (hash >>> 16);
    }

    private static boolean sameName(byte[] stored, byte[] bytes, int from, int to) {
        if (stored.length != to - from) {
            return false;
        }
        for (int i = 0; i < stored.length; i++) {
            if (stored[i] != lower(bytes[from + i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * ASCII lower case. Label length bytes (up to 63) are below 'A', so lowering every byte of a
     * wire-form name changes only its letters.
     */
    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
