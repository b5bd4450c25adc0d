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
 * <p>The enrichments named at start are loaded (the Public Suffix List, the GeoIP databases) and
 * on; a live shaping file may turn them off and on again ({@link #turnOn}), never one that was not
 * loaded. The Public Suffix List is the build's, or the operator's {@code --public-suffix-file},
 * which {@link #reload()} reads again when it changes (the shaping watcher calls it): workers read
 * the list in force for each event, and a file that cannot be used leaves it in force. The
 * databases of {@code geoip} ({@link GeoDatabases}) are watched and read again the same way.
 * Thread-safe.
 */
public final class Enrichment {

    /** One enrichment, by its name in {@code --enrich}. */
    private enum Kind {
        REGISTERED_DOMAIN, NAME_SHAPE, SUSPICIOUS, GEOIP;

        String optionName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        int bit() {
            return 1 << ordinal();
        }

        static Kind named(String name, String option) {
            for (Kind kind : values()) {
                if (kind.optionName().equals(name.strip().toLowerCase(Locale.ROOT))) {
                    return kind;
                }
            }
            throw ConfigException.invalid(option, name, "must be none, registered-domain, name-shape, suspicious or "
                    + "geoip");
        }
    }

    /** Nothing added: the events as before enrichment existed. */
    public static final Enrichment NONE = new Enrichment(null, null, 0, null, null);

    private final Path suffixFile;
    private final int loaded;
    private final SuspicionRules suspicion;
    private final SuspiciousCounts suspiciousCounts = new SuspiciousCounts();
    private final GeoDatabases geoip;
    private volatile PublicSuffixes suffixes;
    private volatile int on;

    private Enrichment(PublicSuffixes suffixes, Path suffixFile, int loaded, SuspicionRules suspicion,
            GeoDatabases geoip) {
        this.suffixes = suffixes;
        this.suffixFile = suffixFile;
        this.loaded = loaded;
        this.on = loaded;
        this.suspicion = suspicion;
        this.geoip = geoip;
    }

    /** The enrichments named, with the default thresholds of {@code suspicious} and no GeoIP database. */
    public static Enrichment of(List<String> names, Path suffixFile) {
        return of(names, suffixFile, null, List.of());
    }

    /**
     * The enrichments named ({@code none}, {@code registered-domain}, {@code name-shape},
     * {@code suspicious}, {@code geoip}), with the list read from {@code suffixFile} or, without one,
     * the list that comes with the build (the name's shape needs it too: its entropy is of the part
     * left of the registered domain).
     *
     * @param suspicion the thresholds of {@code suspicious}, or null for the defaults; refused when
     *     given without it
     * @param geoipDatabases the MaxMind DB files of {@code geoip}, which needs one at least
     */
    public static Enrichment of(List<String> names, Path suffixFile, SuspicionRules suspicion,
            List<Path> geoipDatabases) {
        int loaded = mask(names, "--enrich");
        boolean suspicious = (loaded & Kind.SUSPICIOUS.bit()) != 0;
        boolean geo = (loaded & Kind.GEOIP.bit()) != 0;
        if (!suspicious && suspicion != null) {
            throw ConfigException.invalid("--suspicious-thresholds", suspicion.describe(),
                    "is for --enrich suspicious, which is not on");
        }
        if (geo != !geoipDatabases.isEmpty()) {
            throw geo ? ConfigException.invalid("--enrich", "geoip", "needs --geoip-database (a GeoLite2, DB-IP Lite "
                    + "or IPinfo Lite .mmdb file)") : ConfigException.invalid("--geoip-database", geoipDatabases.get(0),
                    "is for --enrich geoip, which is not on");
        }
        boolean needsList = (loaded & ~Kind.GEOIP.bit()) != 0;
        if (!needsList && suffixFile != null) {
            throw ConfigException.invalid("--public-suffix-file", suffixFile, "is for --enrich registered-domain, "
                    + "name-shape or suspicious, none of which is on");
        }
        if (loaded == 0) {
            return NONE;
        }
        PublicSuffixes list = !needsList ? null : suffixFile != null ? PublicSuffixes.read(suffixFile)
                : PublicSuffixes.bundled();
        return new Enrichment(list, suffixFile, loaded,
                suspicious ? suspicion != null ? suspicion : SuspicionRules.DEFAULT : null,
                geo ? GeoDatabases.open(geoipDatabases) : null);
    }

    private static int mask(List<String> names, String option) {
        int mask = 0;
        for (String name : names) {
            if (!name.isBlank() && !name.strip().equalsIgnoreCase("none")) {
                mask |= Kind.named(name, option).bit();
            }
        }
        return mask;
    }

    /**
     * Throws {@link ConfigException} unless every enrichment {@code names} turns on was loaded at
     * start (a shaping file's {@code enrich}; null for all loaded).
     */
    public void check(List<String> names) {
        if (names == null) {
            return;
        }
        int wanted = mask(names, "enrich");
        for (Kind kind : Kind.values()) {
            if ((wanted & kind.bit()) != 0 && (loaded & kind.bit()) == 0) {
                throw new ConfigException("enrich = " + String.join(",", names) + " turns on " + kind.optionName()
                        + ", which --enrich did not name at start: what it needs is loaded then");
            }
        }
    }

    /** Puts {@code names} (checked with {@link #check}; null for all loaded) on and every other off. */
    public void turnOn(List<String> names) {
        check(names);
        on = names == null ? loaded : mask(names, "enrich");
    }

    /** Whether events get {@code query_registered_domain}, {@code query_public_suffix} and the answers' ones. */
    public boolean registeredDomain() {
        return (on & Kind.REGISTERED_DOMAIN.bit()) != 0;
    }

    /** Whether events get the measures of the question name ({@link NameShape}). */
    public boolean nameShape() {
        return (on & Kind.NAME_SHAPE.bit()) != 0;
    }

    /** Whether events get where addresses are ({@link #geoip()}). */
    public boolean geoipOn() {
        return (on & Kind.GEOIP.bit()) != 0;
    }

    /** Whether any enrichment of the question name is on now (its registered domain, shape or reasons). */
    public boolean namesOn() {
        return (on & (Kind.REGISTERED_DOMAIN.bit() | Kind.NAME_SHAPE.bit() | Kind.SUSPICIOUS.bit())) != 0;
    }

    /** Whether names are measured at all: their shape or their suspicious reasons is loaded. */
    public boolean measuresNames() {
        return (loaded & (Kind.NAME_SHAPE.bit() | Kind.SUSPICIOUS.bit())) != 0;
    }

    /** The thresholds of {@code query_suspicious}; null when it was not loaded at start. */
    public SuspicionRules suspicion() {
        return suspicion;
    }

    /**
     * The reasons (a set of {@link SuspiciousReason#bit()}s) a question is suspicious: those of its
     * name ({@link SuspicionRules#nameReasons}) and of its {@code type}, counted for the metric; 0
     * when none, or when {@code suspicious} is not on.
     */
    public int suspiciousReasons(int nameReasons, int type) {
        if (suspicion == null || (on & Kind.SUSPICIOUS.bit()) == 0) {
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

    /** Where addresses are ({@code geoip}); null when it was not loaded at start. */
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

    /** For /stats and the log: what is added, what a shaping file turned off, and from which list. */
    public String describe() {
        if (loaded == 0) {
            return "none";
        }
        int now = on;
        List<String> what = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            if ((loaded & kind.bit()) == 0) {
                continue;
            }
            String detail = kind == Kind.SUSPICIOUS ? " (" + suspicion.describe() + ")"
                    : kind == Kind.GEOIP ? " (" + geoip.describe() + ")" : "";
            what.add(kind.optionName() + detail + ((now & kind.bit()) == 0 ? " [off by the shaping file]" : ""));
        }
        PublicSuffixes list = suffixes;
        return String.join(", ", what) + (list == null ? ""
                : " (Public Suffix List " + list.version() + ", " + list.size() + " rules)");
    }
}
