package io.dnstapforwarder.shipper.cli;

import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.shipper.enrich.SuspicionRules;
import io.dnstapforwarder.shipper.render.ClientPrivacy;
import io.dnstapforwarder.shipper.shape.ServerMeters;
import io.dnstapforwarder.shipper.shape.Shaping;
import io.dnstapforwarder.shipper.shape.ShapingRuleOptions;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What reaches Splunk: the profile of fields, filters, sampling ({@link Shaping}). */
public final class ShapingOptions {

    /** The settings a live shaping file may change as well. */
    @Mixin
    private ShapingRuleOptions rules;

    @Option(names = "--shaping-file", paramLabel = "FILE",
            description = "These settings in a properties file (event-profile = cim, drop-query-suffix = a.example,"
                    + "b.example, ...), over the options, read again within seconds when it changes: no restart.")
    private Path liveFile;

    @Option(names = "--server-metrics", paramLabel = "N", defaultValue = "" + ServerMeters.DEFAULT_MAX_SERVERS,
            description = "DNS servers (dnstap identities) that get a counter of their own in "
                    + "dnstap_shipper_server_events_total, the first seen; later ones count as other. 0: none. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int serverMetrics;

    @Option(names = "--client-privacy", paramLabel = "none|truncate|pseudonymize", defaultValue = "none",
            description = "How client addresses (src, and the client subnet of ECS) reach Splunk: as sent, cut to "
                    + "--client-ipv4-prefix / --client-ipv6-prefix, or replaced by a keyed pseudonym (HMAC-SHA256 with "
                    + "--client-privacy-key-file). Default: ${DEFAULT-VALUE}.")
    private String clientPrivacy;

    @Option(names = "--client-ipv4-prefix", paramLabel = "BITS", defaultValue = "" + ClientPrivacy.DEFAULT_IPV4_PREFIX,
            description = "IPv4 client addresses kept to this many bits with --client-privacy truncate. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int ipv4Prefix;

    @Option(names = "--client-ipv6-prefix", paramLabel = "BITS", defaultValue = "" + ClientPrivacy.DEFAULT_IPV6_PREFIX,
            description = "IPv6 client addresses kept to this many bits with --client-privacy truncate. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int ipv6Prefix;

    @Option(names = "--client-privacy-key-file", paramLabel = "FILE",
            description = "The pseudonyms' secret key (at least 16 bytes; the same on every shipper, so that a client "
                    + "keeps its pseudonym), for --client-privacy pseudonymize.")
    private Path privacyKeyFile;

    @Option(names = "--suspicious-thresholds", paramLabel = "REASON=VALUE", split = ",",
            description = "Thresholds of --enrich suspicious over the defaults, off to turn a reason off: "
                    + "long_name=52 (bytes), many_labels=10, long_label=40 (bytes), high_entropy=4 (bits per byte "
                    + "left of the registered domain), many_digits=0.5 (share of the name), odd_characters=on, "
                    + "rare_type=on.")
    private List<String> suspiciousThresholds = List.of();

    @Option(names = "--common-query-types", paramLabel = "TYPE", split = ",",
            description = "Question types that are not rare_type for --enrich suspicious. Default: "
                    + "A,AAAA,CNAME,MX,NS,PTR,SOA,SRV,TXT,NAPTR,DS,DNSKEY,HTTPS,SVCB,CAA,TLSA.")
    private List<String> commonQueryTypes = List.of();

    @Option(names = "--geoip-database", paramLabel = "FILE", split = ",",
            description = "MaxMind DB files (.mmdb: GeoLite2 or GeoIP2 Country, City, ASN; DB-IP Lite; IPinfo Lite) for "
                    + "--enrich geoip, comma-separated; each field from the first that has it. Read into memory at "
                    + "start and again when one changes.")
    private List<Path> geoipDatabases = List.of();

    @Option(names = "--public-suffix-file", paramLabel = "FILE",
            description = "A Public Suffix List (public_suffix_list.dat from publicsuffix.org) to use instead of the "
                    + "one that comes with the build (its VERSION is in /stats).")
    private Path publicSuffixFile;

    public Shaping toShaping() {
        Shaping fixed = Shaping.builder().liveFile(liveFile).serverMetrics(serverMetrics)
                .privacy(ClientPrivacy.of(clientPrivacy, ipv4Prefix, ipv6Prefix, privacyKeyFile))
                .enrichment(Enrichment.of(rules.enrich(), publicSuffixFile, suspicionRules(), geoipDatabases)).build();
        return rules.toShaping(fixed);
    }

    /** The operator's thresholds, or null when none is given (the defaults, if suspicious is on). */
    private SuspicionRules suspicionRules() {
        if (suspiciousThresholds.isEmpty() && commonQueryTypes.isEmpty()) {
            return null;
        }
        return SuspicionRules.of(suspiciousThresholds, commonQueryTypes);
    }
}
