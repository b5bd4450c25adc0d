package io.dnstapforwarder.shipper.enrich;

import io.dnstapforwarder.config.ConfigException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.Type;

/**
 * When a question gets a {@link SuspiciousReason}: a threshold per reason, each of which an operator
 * may change or turn off ({@code --suspicious-thresholds long_name=60,many_digits=off}), and the
 * question types that are common ({@code --common-query-types}).
 *
 * <p>The defaults come from published work on DNS tunnels and generated domains, and were checked
 * against the captured Unbound traffic (docs/EVENTS.md cites each): a name over 52 bytes (Farnham,
 * "Detecting DNS Tunneling", SANS Reading Room 2013), more than 10 labels and the common types of
 * DNS-collector's suspicious transform, a label over 40 bytes (tunnels fill the 63 allowed; the
 * longest hash labels of reputation lookups, SHA-1 in hex, are 40), an entropy over 4 bits per byte
 * left of the registered domain (hexadecimal data has at most 4, base32 up to 5; Born and Gustafson,
 * "Detecting DNS Tunnels Using Character Frequency Analysis", 2010), and more digits than not
 * (chosen here: host names are mostly letters outside the reverse zones).
 *
 * <p>Reverse names ({@code in-addr.arpa}, {@code ip6.arpa}) are long, many-labelled and all digits
 * by design: only the type and character reasons apply to them.
 */
public final class SuspicionRules {

    /** The thresholds when the operator names none; a value of 0 turns a reason off. */
    static final Map<SuspiciousReason, Double> DEFAULTS = Map.of(SuspiciousReason.LONG_NAME, 52.0,
            SuspiciousReason.MANY_LABELS, 10.0, SuspiciousReason.LONG_LABEL, 40.0, SuspiciousReason.HIGH_ENTROPY, 4.0,
            SuspiciousReason.MANY_DIGITS, 0.5, SuspiciousReason.ODD_CHARACTERS, 1.0, SuspiciousReason.RARE_TYPE, 1.0);

    /** Question types that are not rare: those of browsing, mail, services, DNSSEC and certificates. */
    public static final List<String> COMMON_TYPES = List.of("A", "AAAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV",
            "TXT", "NAPTR", "DS", "DNSKEY", "HTTPS", "SVCB", "CAA", "TLSA");

    /** The defaults, every reason on. */
    public static final SuspicionRules DEFAULT = of(List.of(), List.of());

    private final Map<SuspiciousReason, Double> thresholds;
    private final boolean[] commonTypes = new boolean[65536];
    private final List<String> commonTypeNames;

    private SuspicionRules(Map<SuspiciousReason, Double> thresholds, List<String> commonTypeNames) {
        this.thresholds = thresholds;
        this.commonTypeNames = List.copyOf(commonTypeNames);
        for (String name : commonTypeNames) {
            commonTypes[Type.value(name, true)] = true;
        }
    }

    /**
     * The rules of the options: {@code reason=value} pairs over the defaults ({@code off} turns a
     * reason off, {@code on} puts back its default), and the common question types (none given: the
     * default list).
     *
     * @throws ConfigException naming the option of a value that cannot be used
     */
    public static SuspicionRules of(List<String> thresholdSettings, List<String> commonTypes) {
        Map<SuspiciousReason, Double> thresholds = new EnumMap<>(DEFAULTS);
        for (String setting : thresholdSettings) {
            if (setting.isBlank()) {
                continue;
            }
            int equals = setting.indexOf('=');
            SuspiciousReason reason = equals < 0 ? null : reason(setting.substring(0, equals));
            if (reason == null) {
                throw ConfigException.invalid("--suspicious-thresholds", setting, "must be reason=value, the reason one of "
                        + names() + " and the value a number, on or off");
            }
            thresholds.put(reason, threshold(reason, setting.substring(equals + 1).strip(), setting));
        }
        List<String> types = new ArrayList<>();
        for (String type : commonTypes.isEmpty() ? COMMON_TYPES : commonTypes) {
            String name = type.strip().toUpperCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (Type.value(name, true) < 0) {
                throw ConfigException.invalid("--common-query-types", type, "is not a DNS type (A, AAAA, TXT, TYPE65534, ...)");
            }
            types.add(name);
        }
        return new SuspicionRules(thresholds, types);
    }

    private static SuspiciousReason reason(String name) {
        for (SuspiciousReason reason : SuspiciousReason.values()) {
            if (reason.fieldValue().equals(name.strip().toLowerCase(Locale.ROOT))) {
                return reason;
            }
        }
        return null;
    }

    private static double threshold(SuspiciousReason reason, String value, String setting) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "off" -> {
                return 0;
            }
            case "on" -> {
                return DEFAULTS.get(reason);
            }
            default -> { }
        }
        if (reason == SuspiciousReason.ODD_CHARACTERS || reason == SuspiciousReason.RARE_TYPE) {
            throw ConfigException.invalid("--suspicious-thresholds", setting, "takes on or off: "
                    + (reason == SuspiciousReason.RARE_TYPE ? "the common types are --common-query-types" : "it has no threshold"));
        }
        double number;
        try {
            number = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            number = Double.NaN;
        }
        boolean ratio = reason == SuspiciousReason.MANY_DIGITS;
        double max = ratio ? 1 : reason == SuspiciousReason.HIGH_ENTROPY ? 8 : 255;
        if (!(number > 0 && number < max)) {
            throw ConfigException.invalid("--suspicious-thresholds", setting, "needs a number above 0 and below " + (int) max
                    + (ratio ? " (a share of the name's bytes)" : reason == SuspiciousReason.HIGH_ENTROPY
                    ? " (bits per byte)" : " (bytes or labels)") + ", or off");
        }
        return number;
    }

    private static String names() {
        List<String> names = new ArrayList<>();
        for (SuspiciousReason reason : SuspiciousReason.values()) {
            names.add(reason.fieldValue());
        }
        return String.join(", ", names);
    }

    /**
     * The reasons, as a set of {@link SuspiciousReason#bit()}s, that make the question {@code name}
     * of type {@code type} with {@code shape} suspicious; 0 for none.
     */
    public int reasons(String name, NameShape shape, int type) {
        return nameReasons(name, shape) | typeReasons(type);
    }

    /** The reasons of the name alone: all but {@link SuspiciousReason#RARE_TYPE}. */
    public int nameReasons(String name, NameShape shape) {
        int reasons = 0;
        if (on(SuspiciousReason.ODD_CHARACTERS) && shape.oddBytes() > 0) {
            reasons |= SuspiciousReason.ODD_CHARACTERS.bit();
        }
        if (isReverse(name)) {
            return reasons;
        }
        reasons |= above(SuspiciousReason.LONG_NAME, shape.length());
        reasons |= above(SuspiciousReason.MANY_LABELS, shape.labels());
        reasons |= above(SuspiciousReason.LONG_LABEL, shape.longestLabel());
        reasons |= above(SuspiciousReason.MANY_DIGITS, shape.digitsRatio());
        if (!Double.isNaN(shape.subdomainEntropy())) {
            reasons |= above(SuspiciousReason.HIGH_ENTROPY, shape.subdomainEntropy());
        }
        return reasons;
    }

    /** {@link SuspiciousReason#RARE_TYPE} for a question type outside the common ones, or 0. */
    public int typeReasons(int type) {
        return on(SuspiciousReason.RARE_TYPE) && !commonTypes[type & 0xFFFF] ? SuspiciousReason.RARE_TYPE.bit() : 0;
    }

    private boolean on(SuspiciousReason reason) {
        return thresholds.get(reason) > 0;
    }

    private int above(SuspiciousReason reason, double measure) {
        double threshold = thresholds.get(reason);
        return threshold > 0 && measure > threshold ? reason.bit() : 0;
    }

    /** Under in-addr.arpa or ip6.arpa (any case, with or without the trailing dot). */
    static boolean isReverse(String name) {
        int end = name.endsWith(".") ? name.length() - 1 : name.length();
        return endsWithLabels(name, end, "in-addr.arpa") || endsWithLabels(name, end, "ip6.arpa");
    }

    private static boolean endsWithLabels(String name, int end, String suffix) {
        int start = end - suffix.length();
        return start >= 0 && name.regionMatches(true, start, suffix, 0, suffix.length())
                && (start == 0 || name.charAt(start - 1) == '.');
    }

    /** For /stats and the log: each reason's threshold, or off. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (SuspiciousReason reason : SuspiciousReason.values()) {
            double threshold = thresholds.get(reason);
            String value = threshold == 0 ? "off" : reason == SuspiciousReason.ODD_CHARACTERS
                    || reason == SuspiciousReason.RARE_TYPE ? "on" : threshold == Math.rint(threshold)
                    ? Long.toString((long) threshold) : Double.toString(threshold);
            parts.add(reason.fieldValue() + "=" + value);
        }
        return String.join(",", parts) + "; common types " + String.join(",", commonTypeNames);
    }
}
