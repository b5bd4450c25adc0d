package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.config.Require;
import io.dnstapforwarder.shipper.render.ClientPrivacy;
import io.dnstapforwarder.shipper.render.EventProfile;
import java.nio.file.Path;
import java.util.List;

/**
 * What reaches Splunk of the events Kafka holds (the options, as given; {@link ShapingRules}
 * compiles them). Kafka keeps every event whole whatever this says: change it and
 * {@code replay} a range to ship that range again, shaped anew.
 *
 * @param profile which fields an event carries
 * @param responsesOnly drop queries: a response carries the question too, and the duration
 *     when the server sends both times
 * @param dropMessageTypes dnstap message types to drop (CLIENT_QUERY, RESOLVER_RESPONSE, ...)
 * @param dropIdentities dnstap identities (DNS servers) whose events to drop
 * @param dropQuerySuffixes domains whose names (the domain and below) to drop
 * @param dropQuerySuffixFile a file of more such domains, one per line ({@code #} comments)
 * @param dropQueryTypes question types to drop (PTR, TXT, ...)
 * @param dropReplyCodes reply codes of responses to drop (NOERROR, NXDOMAIN, ...)
 * @param dropClientNetworks client networks (CIDR) whose queries and responses to drop
 * @param sampleRate keep 1 event in this many, the same for a transaction's query and response
 * @param liveFile a file of these settings that overrides them and is read again when it (or the
 *     suffix file it names) changes; or {@code null}
 * @param serverMetrics DNS servers (dnstap identities) that get a per-server event counter of their
 *     own (shaping reads every record's identity anyway); 0 for none
 * @param privacy how client addresses are sent (not changed by the live file: it holds a key)
 */
public record Shaping(EventProfile profile, boolean responsesOnly, List<String> dropMessageTypes,
        List<String> dropIdentities, List<String> dropQuerySuffixes, Path dropQuerySuffixFile, List<String> dropQueryTypes,
        List<String> dropReplyCodes, List<String> dropClientNetworks, int sampleRate, Path liveFile, int serverMetrics,
        ClientPrivacy privacy) {

    /** Everything, every field: what the shipper sent before shaping existed. */
    public static final Shaping NONE = new Shaping(EventProfile.FULL, false, List.of(), List.of(), List.of(), null,
            List.of(), List.of(), List.of(), 1, null, ServerMeters.DEFAULT_MAX_SERVERS, ClientPrivacy.NONE);

    /** Addresses as sent. */
    public Shaping(EventProfile profile, boolean responsesOnly, List<String> dropMessageTypes, List<String> dropIdentities,
            List<String> dropQuerySuffixes, Path dropQuerySuffixFile, List<String> dropQueryTypes,
            List<String> dropReplyCodes, List<String> dropClientNetworks, int sampleRate, Path liveFile, int serverMetrics) {
        this(profile, responsesOnly, dropMessageTypes, dropIdentities, dropQuerySuffixes, dropQuerySuffixFile,
                dropQueryTypes, dropReplyCodes, dropClientNetworks, sampleRate, liveFile, serverMetrics, ClientPrivacy.NONE);
    }

    /** Addresses as sent, the default per-server metrics. */
    public Shaping(EventProfile profile, boolean responsesOnly, List<String> dropMessageTypes, List<String> dropIdentities,
            List<String> dropQuerySuffixes, Path dropQuerySuffixFile, List<String> dropQueryTypes,
            List<String> dropReplyCodes, List<String> dropClientNetworks, int sampleRate, Path liveFile) {
        this(profile, responsesOnly, dropMessageTypes, dropIdentities, dropQuerySuffixes, dropQuerySuffixFile,
                dropQueryTypes, dropReplyCodes, dropClientNetworks, sampleRate, liveFile, ServerMeters.DEFAULT_MAX_SERVERS);
    }

    public Shaping {
        dropMessageTypes = List.copyOf(dropMessageTypes);
        dropIdentities = List.copyOf(dropIdentities);
        dropQuerySuffixes = List.copyOf(dropQuerySuffixes);
        dropQueryTypes = List.copyOf(dropQueryTypes);
        dropReplyCodes = List.copyOf(dropReplyCodes);
        dropClientNetworks = List.copyOf(dropClientNetworks);
        Require.between("--sample-rate", sampleRate, 1, 1_000_000, "must be between 1 (every event) and 1000000");
        Require.between("--server-metrics", serverMetrics, 0, 10_000, "must be between 0 (none) and 10000");
    }

    public Shaping withLiveFile(Path liveFile) {
        return new Shaping(profile, responsesOnly, dropMessageTypes, dropIdentities, dropQuerySuffixes, dropQuerySuffixFile,
                dropQueryTypes, dropReplyCodes, dropClientNetworks, sampleRate, liveFile, serverMetrics, privacy);
    }
}
