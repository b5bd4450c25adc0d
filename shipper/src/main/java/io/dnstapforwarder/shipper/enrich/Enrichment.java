package io.dnstapforwarder.shipper.enrich;

import io.dnstapforwarder.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * leaves it in force. The databases of {@code geoip} ({@link GeoDatabases}) are watched and read
 * again the same way. Thread-safe.
 */
public final class Enrichment {

    /** Nothing added: the events as before enrichment existed. */
    public static final Enrichment NONE = new Enrichment(null, null, false, false, null, null);

    private final Path suffixFile;
    private final boolean registeredDomain;
    private final boolean nameShape;
    private final SuspicionRules suspicion;
    private final SuspiciousCounts suspiciousCounts = new SuspiciousCounts();
    private final GeoDatabases geoip;
    private volatile PublicSuffixes suffixes;

    private Enrichment(PublicSuffixes suffixes, Path suffixFile, boolean registeredDomain, boolean nameShape,
            SuspicionRules suspicion, GeoDatabases geoip) {
        this.suffixes = suffixes;
        this.suffixFile = suffixFile;
        this.registeredDomain = registeredDomain;
        this.nameShape = nameShape;
        this.suspicion = suspicion;
        this.geoip = geoip;
    }

    /** The enrichments named, with the default thresholds of {@code suspicious} and no GeoIP database. */
    public static Enrichment of(List<String> names, Path suffixFile) {
        return of(names, suffixFile, null, List.of());
    }

    /**
     * The enrichments named ({@code none}, {@code registered-domain}, {@code name-shape},
     * {@code suspicious}), with the list read from {@code suffixFile} or, without one, the list that
     * comes with the build (the name's shape needs it too: its entropy is of the part left of the
     * registered domain).
     *
     * @param suspicion the thresholds of {@code suspicious}, or null for the defaults; refused when
     *     given without it
     * @param geoipDatabases the MaxMind DB files of {@code geoip}, which needs one at least
     */
    public static Enrichment of(List<String> names, Path suffixFile, SuspicionRules suspicion,
            List<Path> geoipDatabases) {
        boolean registeredDomain = false;
        boolean nameShape = false;
        boolean suspicious = false;
        boolean geo = false;
        for (String name : names) {
            switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "", "none" -> { }
                case "registered-domain" -> registeredDomain = true;
                case "name-shape" -> nameShape = true;
                case "suspicious" -> suspicious = true;
                case "geoip" -> geo = true;
                default -> throw ConfigException.invalid("--enrich", name,
                        "must be none, registered-domain, name-shape, suspicious or geoip");
            }
        }
        if (!suspicious && suspicion != null) {
            throw ConfigException.invalid("--suspicious-thresholds", suspicion.describe(),
                    "is for --enrich suspicious, which is not on");
        }
        if (geo != !geoipDatabases.isEmpty()) {
            throw geo ? ConfigException.invalid("--enrich", "geoip", "needs --geoip-database (a GeoLite2, DB-IP Lite "
                    + "or IPinfo Lite .mmdb file)") : ConfigException.invalid("--geoip-database", geoipDatabases.get(0),
                    "is for --enrich geoip, which is not on");
        }
        boolean needsList = registeredDomain || nameShape || suspicious;
        if (!needsList && suffixFile != null) {
            throw ConfigException.invalid("--public-suffix-file", suffixFile, "is for --enrich registered-domain, "
                    + "name-shape or suspicious, none of which is on");
        }
        if (!needsList && !geo) {
            return NONE;
        }
        PublicSuffixes list = !needsList ? null : suffixFile != null ? PublicSuffixes.read(suffixFile)
                : PublicSuffixes.bundled();
        return new Enrichment(list, suffixFile, registeredDomain, nameShape,
                suspicious ? suspicion != null ? suspicion : SuspicionRules.DEFAULT : null,
                geo ? GeoDatabases.open(geoipDatabases) : null);
    }

    /** Whether events get {@code query_registered_domain} and {@code query_public_suffix}. */
    public boolean registeredDomain() {
        return registeredDomain;
    }

    /** Whether events get the measures of the question name ({@link NameShape}). */
    public boolean nameShape() {
        return nameShape;
    }

    /** The thresholds of {@code query_suspicious}; null when it is not on. */
    public SuspicionRules suspicion() {
        return suspicion;
    }

    /**
     * The reasons (a set of {@link SuspiciousReason#bit()}s) a question is suspicious: those of its
     * name ({@link SuspicionRules#nameReasons}) and of its {@code type}, counted for the metric; 0
     * when none, or when {@code suspicious} is not on.
     */
    public int suspiciousReasons(int nameReasons, int type) {
        if (suspicion == null) {
            return 0;
        }
        int reasons = nameReasons | suspicion.typeReasons(type);
        if (reasons != 0) {
            suspiciousCounts.count(reasons);
        }
        return reasons;
    }

    /** The events counted per reason. */
    public SuspiciousCounts suspiciousCounts() {
        return suspiciousCounts;
    }

    /** Where addresses are ({@code geoip}); null when it is not on. */
    public GeoDatabases geoip() {
        return geoip;
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
        if (list == null && geoip == null) {
            return "none";
        }
        List<String> what = new ArrayList<>();
        if (registeredDomain) {
            what.add("registered-domain");
        }
        if (nameShape) {
            what.add("name-shape");
        }
        if (suspicion != null) {
            what.add("suspicious (" + suspicion.describe() + ")");
        }
        if (geoip != null) {
            what.add("geoip (" + geoip.describe() + ")");
        }
        return String.join(", ", what) + (list == null ? ""
                : " (Public Suffix List " + list.version() + ", " + list.size() + " rules)");
    }
}
