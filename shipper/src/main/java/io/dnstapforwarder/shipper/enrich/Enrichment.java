package io.dnstapforwarder.shipper.enrich;

import io.dnstapforwarder.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the shipper adds to each event that the DNS server did not send ({@code --enrich}),
 * computed once at ingest instead of in every search. Kafka keeps the dnstap as sent, so a replay
 * computes it again with a newer list.
 *
 * <p>The Public Suffix List of {@code registered-domain} is the build's, or the operator's
 * {@code --public-suffix-file}, which {@link #reload()} reads again when it changes (the shaping
 * watcher calls it): workers read the list in force for each event, and a file that cannot be used
 * leaves it in force. Thread-safe.
 */
public final class Enrichment {

    /** Nothing added: the events as before enrichment existed. */
    public static final Enrichment NONE = new Enrichment(null, null, false, false);

    private final Path suffixFile;
    private final boolean registeredDomain;
    private final boolean nameShape;
    private volatile PublicSuffixes suffixes;

    /** Registered domains and, with {@code nameShape}, the names' shape, from {@code suffixes}, which never changes. */
    public Enrichment(PublicSuffixes suffixes, boolean nameShape) {
        this(suffixes, null, true, nameShape);
    }

    private Enrichment(PublicSuffixes suffixes, Path suffixFile, boolean registeredDomain, boolean nameShape) {
        this.suffixes = suffixes;
        this.suffixFile = suffixFile;
        this.registeredDomain = registeredDomain;
        this.nameShape = nameShape;
    }

    /**
     * The enrichments named ({@code none}, {@code registered-domain}, {@code name-shape}), with the
     * list read from {@code suffixFile} or, without one, the list that comes with the build (the
     * name's shape needs it too: its entropy is of the part left of the registered domain).
     */
    public static Enrichment of(List<String> names, Path suffixFile) {
        boolean registeredDomain = false;
        boolean nameShape = false;
        for (String name : names) {
            switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "", "none" -> { }
                case "registered-domain" -> registeredDomain = true;
                case "name-shape" -> nameShape = true;
                default -> throw ConfigException.invalid("--enrich", name,
                        "must be none, registered-domain or name-shape");
            }
        }
        if (!registeredDomain && !nameShape) {
            if (suffixFile != null) {
                throw ConfigException.invalid("--public-suffix-file", suffixFile, "is for --enrich registered-domain "
                        + "or name-shape, neither of which is on");
            }
            return NONE;
        }
        return new Enrichment(suffixFile != null ? PublicSuffixes.read(suffixFile) : PublicSuffixes.bundled(),
                suffixFile, registeredDomain, nameShape);
    }

    /** Whether events get {@code query_registered_domain} and {@code query_public_suffix}. */
    public boolean registeredDomain() {
        return registeredDomain;
    }

    /** Whether events get the measures of the question name ({@link NameShape}). */
    public boolean nameShape() {
        return nameShape;
    }

    /** The Public Suffix List in force; null when no enrichment needs it. */
    public PublicSuffixes suffixes() {
        return suffixes;
    }

    /** The operator's list file, watched for changes; null for the build's list, or none. */
    public Path suffixFile() {
        return suffixFile;
    }

    /**
     * Reads {@link #suffixFile()} again and puts it in force; a file that cannot be used throws
     * {@link ConfigException} and the list in force stays.
     */
    public void reload() {
        if (suffixFile != null) {
            suffixes = PublicSuffixes.read(suffixFile);
        }
    }

    /** For /stats and the log: what is added, and from which list. */
    public String describe() {
        PublicSuffixes list = suffixes;
        if (list == null) {
            return "none";
        }
        String what = registeredDomain && nameShape ? "registered-domain, name-shape"
                : registeredDomain ? "registered-domain" : "name-shape";
        return what + " (Public Suffix List " + list.version() + ", " + list.size() + " rules)";
    }
}
