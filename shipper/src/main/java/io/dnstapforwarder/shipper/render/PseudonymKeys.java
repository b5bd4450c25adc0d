package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.config.ConfigException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The secret keys of client pseudonyms ({@code --client-privacy-key-file}), each in force from its
 * time on: rotating the key daily means that a client's pseudonym links its queries within a day
 * and never across days. The file is either one key (its bytes, at least 16: the format before
 * rotation, which stays valid) or lines of
 * <pre>
 * # id           in force from (UTC)    key (at least 16 bytes)
 * 2026-12-07     2026-12-07T00:00:00Z   base64:8J2xWq...
 * 2026-12-08     2026-12-08T00:00:00Z   hex:4f1c0e...
 * </pre>
 * An event is pseudonymized with the key in force when the collector received it (its
 * {@code received_at}, kept in Kafka: a replay gives the same pseudonyms while the key is kept),
 * or, received before every key's time, with the earliest. Events carry the key's id
 * ({@code pseudonym_key}); a one-key file's id is a fingerprint of the key (the first 8 bytes of
 * its SHA-256, in hex), which tells keys apart and reveals nothing of them.
 */
final class PseudonymKeys {

    /** A key, in force from {@code from}. */
    record Key(String id, Instant from, byte[] secret) {
    }

    private static final String OPTION = "--client-privacy-key-file";
    private static final int MIN_BYTES = 16;
    private static final Pattern KEY_LINE = Pattern.compile("\\S+\\s+\\S+\\s+(hex|base64):\\S+");
    private static final Pattern ID = Pattern.compile("[\\w.:-]{1,64}");

    private final List<Key> keys; // by time, earliest first
    private final long[] fromNanos;

    private PseudonymKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
        this.fromNanos = keys.stream().mapToLong(key -> nanos(key.from())).toArray();
    }

    /** The keys of {@code file}; one that cannot be used throws {@link ConfigException} naming the option and why. */
    static PseudonymKeys read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw ConfigException.invalid(OPTION, file, "cannot be read: " + e);
        }
        String text = utf8(bytes);
        if (text != null && text.lines().map(String::strip).anyMatch(PseudonymKeys::looksLikeKeyLine)) {
            return parseKeyring(file, text); // lines of keys: a mistake in one is an error, never a key
        }
        if (bytes.length < MIN_BYTES) {
            throw ConfigException.invalid(OPTION, file, "holds " + bytes.length
                    + " bytes; a key needs at least 16 (e.g. head -c 32 /dev/urandom > key)");
        }
        return new PseudonymKeys(List.of(new Key(fingerprint(bytes), Instant.EPOCH, bytes)));
    }

    /**
     * A comment, a key line, or a line of three fields whose second is a time: such a file is
     * lines of keys. Anything else is one key, as before rotation: a passphrase may have spaces.
     */
    private static boolean looksLikeKeyLine(String line) {
        if (line.startsWith("#") || KEY_LINE.matcher(line).matches()) {
            return true;
        }
        String[] fields = line.split("\\s+");
        if (fields.length != 3) {
            return false;
        }
        try {
            Instant.parse(fields[1]);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static PseudonymKeys parseKeyring(Path file, String text) {
        List<Key> keys = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<Instant> times = new HashSet<>();
        int number = 0;
        for (String raw : text.lines().toList()) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + number;
            String[] fields = line.split("\\s+");
            if (fields.length != 3 || !KEY_LINE.matcher(line).matches()) {
                throw ConfigException.invalid(OPTION, where, "must be: id, the time it is in force from "
                        + "(2026-12-08T00:00:00Z), and hex:... or base64:... (at least 16 bytes)");
            }
            if (!ID.matcher(fields[0]).matches() || !ids.add(fields[0])) {
                throw ConfigException.invalid(OPTION, where, "key id " + fields[0]
                        + (ID.matcher(fields[0]).matches() ? " is given twice" : " must be letters, digits, . : _ - (64 at most)"));
            }
            Instant from;
            try {
                from = Instant.parse(fields[1]);
            } catch (DateTimeParseException e) {
                throw ConfigException.invalid(OPTION, where, fields[1] + " is not a UTC time such as 2026-12-08T00:00:00Z");
            }
            if (!times.add(from)) {
                throw ConfigException.invalid(OPTION, where, "another key is in force from " + fields[1] + " too");
            }
            byte[] secret = secret(fields[2], where);
            keys.add(new Key(fields[0], from, secret));
        }
        if (keys.isEmpty()) {
            throw ConfigException.invalid(OPTION, file, "holds no key line (id, time, hex:... or base64:...)");
        }
        keys.sort(Comparator.comparing(Key::from));
        return new PseudonymKeys(keys);
    }

    private static byte[] secret(String encoded, String where) {
        byte[] secret;
        try {
            secret = encoded.startsWith("hex:") ? HexFormat.of().parseHex(encoded.substring(4))
                    : Base64.getDecoder().decode(encoded.substring(7));
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(OPTION, where, "its key does not decode: " + e.getMessage());
        }
        if (secret.length < MIN_BYTES) {
            throw ConfigException.invalid(OPTION, where, "its key has " + secret.length
                    + " bytes; at least 16 (e.g. head -c 32 /dev/urandom | base64)");
        }
        return secret;
    }

    /** The key in force at {@code epochNanos}; the earliest before every key's time. */
    Key at(long epochNanos) {
        int found = Arrays.binarySearch(fromNanos, epochNanos); // a year of daily keys: 9 steps, not 365
        int index = found >= 0 ? found : -found - 2; // the last key from before it
        return keys.get(Math.max(index, 0));
    }

    List<Key> keys() {
        return keys;
    }

    /** For /stats and the log: the keys' ids and times, never the keys. */
    String describe(Instant now) {
        List<String> parts = new ArrayList<>();
        for (Key key : keys) {
            parts.add(key.id() + (key.from().equals(Instant.EPOCH) ? "" : " from " + key.from()));
        }
        return keys.size() + (keys.size() == 1 ? " key (" : " keys (") + String.join(", ", parts) + "); in force now: "
                + at(nanos(now)).id();
    }

    private static long nanos(Instant instant) {
        if (instant.getEpochSecond() >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE; // after 2262: never in force
        }
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null; // random bytes: a key of the one-key format
        }
    }

    private static String fingerprint(byte[] secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
