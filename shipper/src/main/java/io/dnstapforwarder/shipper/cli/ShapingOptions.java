package io.dnstapforwarder.shipper.cli;

import io.dnstapforwarder.shipper.render.ClientPrivacy;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.shipper.shape.ServerMeters;
import io.dnstapforwarder.shipper.shape.Shaping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What reaches Splunk: the profile of fields, filters, sampling ({@link Shaping}). */
public final class ShapingOptions {

    @Option(names = "--event-profile", paramLabel = "full|cim|compact", defaultValue = "full",
            description = "The fields each event carries: full (everything), cim (what Splunk's Network Resolution "
                    + "data model uses, once), compact (who asked what and what came back). Default: ${DEFAULT-VALUE}.")
    private String profile;

    @Option(names = "--responses-only", paramLabel = "true|false", defaultValue = "false", arity = "0..1",
            fallbackValue = "true",
            description = "Send responses only: a response carries the question too. Default: ${DEFAULT-VALUE}.")
    private boolean responsesOnly;

    @Option(names = "--drop-message-type", paramLabel = "TYPE", split = ",",
            description = "dnstap message types not to send, e.g. RESOLVER_QUERY,RESOLVER_RESPONSE.")
    private List<String> dropMessageTypes = new ArrayList<>();

    @Option(names = "--drop-identity", paramLabel = "IDENTITY", split = ",",
            description = "DNS servers (dnstap identities) whose events not to send.")
    private List<String> dropIdentities = new ArrayList<>();

    @Option(names = "--drop-query-suffix", paramLabel = "DOMAIN", split = ",",
            description = "Domains whose names (the domain and every name below it) not to send, e.g. "
                    + "in-addr.arpa,corp.example.")
    private List<String> dropQuerySuffixes = new ArrayList<>();

    @Option(names = "--drop-query-suffix-file", paramLabel = "FILE",
            description = "More such domains, one per line (# comments): lists of 100,000 cost what 10 do.")
    private Path dropQuerySuffixFile;

    @Option(names = "--drop-query-type", paramLabel = "TYPE", split = ",",
            description = "Question types not to send, e.g. PTR,TXT.")
    private List<String> dropQueryTypes = new ArrayList<>();

    @Option(names = "--drop-reply-code", paramLabel = "RCODE", split = ",",
            description = "Responses with these reply codes not to send, e.g. NOERROR to keep only failures.")
    private List<String> dropReplyCodes = new ArrayList<>();

    @Option(names = "--drop-client-network", paramLabel = "CIDR", split = ",",
            description = "Clients whose queries and responses not to send, e.g. 10.0.99.0/24 (monitoring probes).")
    private List<String> dropClientNetworks = new ArrayList<>();

    @Option(names = "--sample-rate", paramLabel = "N", defaultValue = "1",
            description = "Send 1 event in N, chosen by query name and client so that a query and its response go "
                    + "together; events carry sample_rate=N. Default: ${DEFAULT-VALUE} (every event).")
    private int sampleRate;

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

    public Shaping toShaping() {
        return new Shaping(EventProfile.named(profile), responsesOnly, dropMessageTypes, dropIdentities, dropQuerySuffixes,
                dropQuerySuffixFile, dropQueryTypes, dropReplyCodes, dropClientNetworks, sampleRate, liveFile,
                serverMetrics, ClientPrivacy.of(clientPrivacy, ipv4Prefix, ipv6Prefix, privacyKeyFile));
    }
}
