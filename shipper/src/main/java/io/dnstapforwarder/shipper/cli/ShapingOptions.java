package io.dnstapforwarder.shipper.cli;

import io.dnstapforwarder.shipper.enrich.Enrichment;
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

    @Option(names = "--enrich", paramLabel = "none|registered-domain", split = ",", defaultValue = "none",
            description = "What to add to each event: registered-domain adds query_registered_domain (the domain "
                    + "under its public suffix: evil.co.uk of a1b2.cdn.evil.co.uk) and, in the full profile, "
                    + "query_public_suffix, from the Public Suffix List. Default: ${DEFAULT-VALUE}.")
    private List<String> enrich;

    @Option(names = "--public-suffix-file", paramLabel = "FILE",
            description = "A Public Suffix List (public_suffix_list.dat from publicsuffix.org) to use instead of the "
                    + "one that comes with the build (its VERSION is in /stats).")
    private Path publicSuffixFile;

    public Shaping toShaping() {
        Shaping fixed = Shaping.builder().liveFile(liveFile).serverMetrics(serverMetrics)
                .privacy(ClientPrivacy.of(clientPrivacy, ipv4Prefix, ipv6Prefix, privacyKeyFile))
                .enrichment(Enrichment.of(enrich, publicSuffixFile)).build();
        return rules.toShaping(fixed);
    }
}
