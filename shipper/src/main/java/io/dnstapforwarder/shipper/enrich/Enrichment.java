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
 * @param suffixes the Public Suffix List for {@code query_registered_domain} and
 *     {@code query_public_suffix}; null when {@code registered-domain} is off
 */
public record Enrichment(PublicSuffixes suffixes) {

    /** Nothing added: the events as before enrichment existed. */
    public static final Enrichment NONE = new Enrichment(null);

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
        return new Enrichment(suffixFile != null ? PublicSuffixes.read(suffixFile) : PublicSuffixes.bundled());
    }

    /** For /stats and the start-up log: what is added, and from which list. */
    public String describe() {
        return suffixes == null ? "none" : "registered-domain (Public Suffix List " + suffixes.version() + ", "
                + suffixes.size() + " rules)";
    }
}
