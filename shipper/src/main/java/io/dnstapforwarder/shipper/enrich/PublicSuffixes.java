package io.dnstapforwarder.shipper.enrich;

import io.dnstapforwarder.config.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.psl.PublicSuffixList;
import org.apache.hc.client5.http.psl.PublicSuffixListParser;

/**
 * The Public Suffix List: where a name's registered domain begins ({@code evil.co.uk} of
 * {@code a1b2.cdn.evil.co.uk}, public suffix {@code co.uk}).
 *
 * <p>Both sections of the list count, ICANN's and the private one: a name under a dynamic DNS or
 * hosting provider's suffix ({@code duckdns.org}, {@code github.io}) belongs to whoever registered
 * it there, which is what a hunt needs to tell apart (ICANN's section alone would make every such
 * name one domain, {@code duckdns.org}). A suffix the list does not know is one label, as the list's
 * own algorithm says ({@code corp.local} is registered under {@code local}).
 *
 * <p>The list's format is read by Apache HttpClient's parser, and the list itself comes with that
 * library (the version it was released with, in {@link #version()}); an operator can give a newer
 * one. Lookup is this class's: a few hash lookups per name, no allocation past the name itself.
 * Immutable and thread-safe: one instance for every worker.
 */
public final class PublicSuffixes {

    /** The list HttpClient carries. */
    private static final String BUNDLED = "/org/publicsuffix/list/effective_tld_names.dat";
    private static final Pattern VERSION = Pattern.compile("^//\\s*VERSION:\\s*(\\S+)", Pattern.MULTILINE);

    /** A suffix is a rule ({@code co.uk}), a wildcard's base ({@code ck} of {@code *.ck}), an exception, or several. */
    private static final byte RULE = 1;
    private static final byte WILDCARD = 2;
    private static final byte EXCEPTION = 4;

    /** Each suffix the list names, with what it is: one lookup per label of a name. */
    private final Map<String, Byte> suffixes;
    private final int rules;
    private final String version;

    private PublicSuffixes(Map<String, Byte> suffixes, int rules, String version) {
        this.suffixes = suffixes;
        this.rules = rules;
        this.version = version;
    }

    /** The list that comes with the build. */
    public static PublicSuffixes bundled() {
        try (InputStream in = PublicSuffixes.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("the Public Suffix List is missing from the build (" + BUNDLED + ")");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled ");
        } catch (IOException e) {
            throw new IllegalStateException("the bundled Public Suffix List cannot be read", e);
        }
    }

    /**
     * The list in {@code file} (the format of publicsuffix.org's {@code public_suffix_list.dat});
     * a file that cannot be read, or holds no rules, stops the start naming the option.
     */
    public static PublicSuffixes read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw ConfigException.invalid("--public-suffix-file", file, "cannot be read: " + e.getMessage());
        }
        PublicSuffixes list = parse(text, "");
        if (list.rules < 100) { // the real list has thousands; a few means the wrong file
            throw ConfigException.invalid("--public-suffix-file", file, "holds " + list.rules + " suffix rules, "
                    + "not the Public Suffix List (public_suffix_list.dat from publicsuffix.org)");
        }
        return list;
    }

    private static PublicSuffixes parse(String text, String origin) {
        Map<String, Byte> suffixes = new HashMap<>();
        int rules = 0;
        try (Reader reader = new BufferedReader(new StringReader(text))) {
            List<PublicSuffixList> sections = PublicSuffixListParser.INSTANCE.parseByType(reader);
            if (sections.isEmpty()) { // a list without the ICANN and PRIVATE markers: its rules all the same
                sections = List.of(PublicSuffixListParser.INSTANCE.parse(new StringReader(text)));
            }
            for (PublicSuffixList section : sections) {
                for (String rule : section.getRules()) {
                    String suffix = rule.toLowerCase(Locale.ROOT);
                    if (suffix.startsWith("*.")) {
                        add(suffix.substring(2), WILDCARD, suffixes);
                    } else {
                        add(suffix, RULE, suffixes);
                    }
                    rules++;
                }
                for (String exception : section.getExceptions()) {
                    add(exception.toLowerCase(Locale.ROOT), EXCEPTION, suffixes);
                    rules++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // a string reader does not fail
        }
        Matcher version = VERSION.matcher(text);
        return new PublicSuffixes(Map.copyOf(suffixes), rules,
                origin + (version.find() ? version.group(1) : "(no VERSION line)"));
    }

    /**
     * A suffix as the list writes it (IDN labels in Unicode) and as DNS carries it (A-labels,
     * {@code xn--}): the names in events are the DNS server's, so mostly the latter.
     */
    private static void add(String suffix, byte kind, Map<String, Byte> into) {
        into.merge(suffix, kind, (a, b) -> (byte) (a | b));
        try {
            into.merge(IDN.toASCII(suffix, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT), kind, (a, b) -> (byte) (a | b));
        } catch (IllegalArgumentException notConvertible) {
            // a rule no A-label can spell: only its own form
        }
    }

    /** The list's {@code VERSION} line, for {@code /stats}. */
    public String version() {
        return version;
    }

    /** Rules in the list, wildcards and exceptions included. */
    public int size() {
        return rules;
    }

    /**
     * A name as rendered (presentation format, no trailing dot) split at its public suffix and its
     * registered domain; null for a name that has none: the root, a name with escaped characters
     * ({@code \.}, {@code \DDD}: not a host name), an empty label.
     */
    public Split split(String name) {
        int length = name.length();
        if (length == 0 || name.equals(".") || name.indexOf('\\') >= 0 || name.startsWith(".") || name.endsWith(".")
                || name.contains("..")) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        // The implicit rule "*": the last label is a public suffix.
        int suffixStart = lower.lastIndexOf('.') + 1;
        for (int start = suffixStart; ; ) {
            Byte kind = suffixes.get(start == 0 ? lower : lower.substring(start));
            int kinds = kind == null ? 0 : kind;
            if ((kinds & EXCEPTION) != 0) {
                suffixStart = lower.indexOf('.', start) + 1; // the exception's parent is the suffix
                break;
            }
            if ((kinds & RULE) != 0) {
                suffixStart = start;
            }
            if (start > 0 && (kinds & WILDCARD) != 0) {
                suffixStart = lower.lastIndexOf('.', start - 2) + 1; // one label more
            }
            if (start == 0) {
                break;
            }
            start = lower.lastIndexOf('.', start - 2) + 1;
        }
        int registeredStart = suffixStart == 0 ? -1 : lower.lastIndexOf('.', suffixStart - 2) + 1;
        return new Split(lower, suffixStart, registeredStart);
    }

    /**
     * A name in lower case, where its public suffix begins, and where its registered domain begins
     * (-1 when the name is itself a public suffix).
     */
    public record Split(String name, int suffixStart, int registeredStart) {

        /** The registered domain, in lower case; null when the name is itself a public suffix. */
        public String registeredDomain() {
            return registeredStart < 0 ? null : name.substring(registeredStart);
        }

        /** The public suffix, in lower case. */
        public String publicSuffix() {
            return name.substring(suffixStart);
        }
    }
}
