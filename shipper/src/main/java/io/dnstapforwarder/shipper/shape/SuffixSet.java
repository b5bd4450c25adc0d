package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.config.ConfigException;
import java.util.Arrays;
import java.util.Collection;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Domain suffixes (whole labels: {@code example.com} holds {@code www.example.com} and itself, not
 * {@code badexample.com}), matched against a name in DNS wire form without building anything.
 * Case-insensitive, as DNS names are. Immutable.
 *
 * <p>Matching costs one pass over the name's bytes and one probe per label, however many suffixes
 * there are (100,000 cost what 10 do): the hashes of all the name's suffixes come out of a single
 * right-to-left pass (each suffix's hash extends the next shorter one's), and each is looked up in
 * a table of hashes alone, dense enough to stay in cache; the stored name is compared only when
 * a hash matches.
 */
public final class SuffixSet {

    private static final SuffixSet EMPTY = new SuffixSet(new int[1], new byte[1][], 0);
    /** A name has at most 127 labels (255 bytes). */
    private static final int MAX_LABELS = 128;

    /** Open addressing: a suffix's hash (never 0) or 0 for an empty slot. */
    private final int[] hashes;
    /** The lower-case wire form of the suffix in the same slot. */
    private final byte[][] names;
    private final int size;
    private final ThreadLocal<int[]> labelStarts = ThreadLocal.withInitial(() -> new int[MAX_LABELS]);

    private SuffixSet(int[] hashes, byte[][] names, int size) {
        this.hashes = hashes;
        this.names = names;
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
        int capacity = Integer.highestOneBit(Math.max(4, names.size() * 2)) * 2;
        int[] hashes = new int[capacity];
        byte[][] stored = new byte[capacity][];
        int size = 0;
        for (String text : names) {
            byte[] wire;
            try {
                wire = Name.fromString(text.strip(), Name.root).toWireCanonical();
            } catch (TextParseException e) {
                throw ConfigException.invalid(option, text, "is not a domain name: " + e.getMessage());
            }
            int hash = hashOf(wire, 0, wire.length);
            int slot = hash & (capacity - 1);
            while (hashes[slot] != 0 && !(hashes[slot] == hash && Arrays.equals(stored[slot], wire))) {
                slot = (slot + 1) & (capacity - 1);
            }
            if (hashes[slot] == 0) {
                hashes[slot] = hash;
                stored[slot] = wire;
                size++;
            }
        }
        return new SuffixSet(hashes, stored, size);
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
        int[] starts = labelStarts.get();
        int labels = 0;
        for (int at = start; at < end && labels < MAX_LABELS; at += (bytes[at] & 0xFF) + 1) {
            starts[labels++] = at;
            if (bytes[at] == 0) {
                break;
            }
        }
        // Right to left: the hash of [p, end) extends that of [p + 1, end); at each label start
        // it is the hash of that suffix.
        int hash = 0;
        int label = labels - 1;
        for (int i = end - 1; i >= start && label >= 0; i--) {
            hash = step(hash, bytes[i]);
            if (i == starts[label]) {
                if (contains(finish(hash), bytes, i, end)) {
                    return true;
                }
                label--;
            }
        }
        return false;
    }

    private boolean contains(int hash, byte[] bytes, int from, int to) {
        int mask = hashes.length - 1;
        for (int slot = hash & mask; hashes[slot] != 0; slot = (slot + 1) & mask) {
            if (hashes[slot] == hash && sameName(names[slot], bytes, from, to)) {
                return true;
            }
        }
        return false;
    }

    /** The hash of {@code bytes[from, to)}, as {@link #matches} computes it for a suffix. */
    private static int hashOf(byte[] bytes, int from, int to) {
        int hash = 0;
        for (int i = to - 1; i >= from; i--) {
            hash = step(hash, bytes[i]);
        }
        return finish(hash);
    }

    private static int step(int hash, byte b) {
        return hash * 0x01000193 + lower(b) + 1;
    }

    /** Mixed, and never 0 (the empty slot). */
    private static int finish(int hash) {
        int mixed = (hash ^ (hash >>> 16)) * 0x45D9F3B;
        mixed ^= mixed >>> 16;
        return mixed == 0 ? 1 : mixed;
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
