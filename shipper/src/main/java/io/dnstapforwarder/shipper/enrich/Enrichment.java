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
    public static final Enrichment NONE = new Enrichment(null, null);

    private final Path suffixFile;
    private volatile PublicSuffixes suffixes;

    /** Registered domains from {@code suffixes}, which never changes. */
    public Enrichment(PublicSuffixes suffixes) {
        this(suffixes, null);
    }

    private Enrichment(PublicSuffixes suffixes, Path suffixFile) {
        this.suffixes = suffixes;
        this.suffixFile = suffixFile;
    }

    /**
     * The enrichments named ({@code none}, {@code registered-domain}), the list read from
     * {@code suffixFile} or, without one, the list that comes with the build.
     */
    public static Enrichment of(List<String> names, Path suffixFile) {
        boolean registeredDomain = false;
        for (String name : names) {
            switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "", "none" -> { }
                case "registered-domain" -> registeredDomain = true;
                default -> throw ConfigException.invalid("--enrich", name, "must be none or registered-domain");
            }
        }
        if (suffixFile != null && !registeredDomain) {
            throw ConfigException.invalid("--public-suffix-file", suffixFile, "is for --enrich registered-domain, "
                    + "which is not on");
        }
        if (!registeredDomain) {
            return NONE;
        }
        return suffixFile != null ? new Enrichment(PublicSuffixes.read(suffixFile), suffixFile)
                : new Enrichment(PublicSuffixes.bundled(), null);
    }

    /** The Public Suffix List in force; null when {@code registered-domain} is off. */
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
        return list == null ? "none" : "registered-domain (Public Suffix List " + list.version() + ", " + list.size()
                + " rules)";
    }
}
