package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.config.Require;
import io.dnstapforwarder.shipper.enrich.Enrichment;
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
 * @param enrichment what can be added to each event: the lists and databases loaded at start
 * @param enrich the enrichments on, among those loaded ({@code --enrich}, or the live file's
 *     {@code enrich}); null for all of them
 */
public record Shaping(EventProfile profile, boolean responsesOnly, List<String> dropMessageTypes,
        List<String> dropIdentities, List<String> dropQuerySuffixes, Path dropQuerySuffixFile, List<String> dropQueryTypes,
        List<String> dropReplyCodes, List<String> dropClientNetworks, int sampleRate, Path liveFile, int serverMetrics,
        ClientPrivacy privacy, Enrichment enrichment, List<String> enrich) {

    /** Everything, every field: what the shipper sent before shaping existed. */
    public static final Shaping NONE = new Shaping(EventProfile.FULL, false, List.of(), List.of(), List.of(), null,
            List.of(), List.of(), List.of(), 1, null, ServerMeters.DEFAULT_MAX_SERVERS, ClientPrivacy.NONE,
            Enrichment.NONE, null);

    public Shaping {
        dropMessageTypes = List.copyOf(dropMessageTypes);
        dropIdentities = List.copyOf(dropIdentities);
        dropQuerySuffixes = List.copyOf(dropQuerySuffixes);
        dropQueryTypes = List.copyOf(dropQueryTypes);
        dropReplyCodes = List.copyOf(dropReplyCodes);
        dropClientNetworks = List.copyOf(dropClientNetworks);
        enrich = enrich == null ? null : List.copyOf(enrich);
        Require.between("--sample-rate", sampleRate, 1, 1_000_000, "must be between 1 (every event) and 1000000");
        Require.between("--server-metrics", serverMetrics, 0, 10_000, "must be between 0 (none) and 10000");
    }

    public Shaping withLiveFile(Path liveFile) {
        return toBuilder().liveFile(liveFile).build();
    }

    /** A builder starting from {@link #NONE}: everything, every field. */
    public static Builder builder() {
        return NONE.toBuilder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Settings by name, each at its value of the shaping it started from until set. */
    public static final class Builder {
        private EventProfile profile;
        private boolean responsesOnly;
        private List<String> dropMessageTypes;
        private List<String> dropIdentities;
        private List<String> dropQuerySuffixes;
        private Path dropQuerySuffixFile;
        private List<String> dropQueryTypes;
        private List<String> dropReplyCodes;
        private List<String> dropClientNetworks;
        private int sampleRate;
        private Path liveFile;
        private int serverMetrics;
        private ClientPrivacy privacy;
        private Enrichment enrichment;
        private List<String> enrich;

        private Builder(Shaping from) {
            profile = from.profile;
            responsesOnly = from.responsesOnly;
            dropMessageTypes = from.dropMessageTypes;
            dropIdentities = from.dropIdentities;
            dropQuerySuffixes = from.dropQuerySuffixes;
            dropQuerySuffixFile = from.dropQuerySuffixFile;
            dropQueryTypes = from.dropQueryTypes;
            dropReplyCodes = from.dropReplyCodes;
            dropClientNetworks = from.dropClientNetworks;
            sampleRate = from.sampleRate;
            liveFile = from.liveFile;
            serverMetrics = from.serverMetrics;
            privacy = from.privacy;
            enrichment = from.enrichment;
            enrich = from.enrich;
        }

        public Builder profile(EventProfile profile) {
            this.profile = profile;
            return this;
        }

        public Builder responsesOnly(boolean responsesOnly) {
            this.responsesOnly = responsesOnly;
            return this;
        }

        public Builder dropMessageTypes(List<String> types) {
            this.dropMessageTypes = types;
            return this;
        }

        public Builder dropIdentities(List<String> identities) {
            this.dropIdentities = identities;
            return this;
        }

        public Builder dropQuerySuffixes(List<String> suffixes) {
            this.dropQuerySuffixes = suffixes;
            return this;
        }

        public Builder dropQuerySuffixFile(Path file) {
            this.dropQuerySuffixFile = file;
            return this;
        }

        public Builder dropQueryTypes(List<String> types) {
            this.dropQueryTypes = types;
            return this;
        }

        public Builder dropReplyCodes(List<String> codes) {
            this.dropReplyCodes = codes;
            return this;
        }

        public Builder dropClientNetworks(List<String> networks) {
            this.dropClientNetworks = networks;
            return this;
        }

        public Builder sampleRate(int rate) {
            this.sampleRate = rate;
            return this;
        }

        public Builder liveFile(Path file) {
            this.liveFile = file;
            return this;
        }

        public Builder serverMetrics(int servers) {
            this.serverMetrics = servers;
            return this;
        }

        public Builder privacy(ClientPrivacy privacy) {
            this.privacy = privacy;
            return this;
        }

        /** The settings, validated ({@code ConfigException} naming the option of a bad one). */
        public Builder enrichment(Enrichment enrichment) {
            this.enrichment = enrichment;
            return this;
        }

        /** The enrichments on, among those {@link #enrichment} loaded; null for all. */
        public Builder enrich(List<String> names) {
            this.enrich = names;
            return this;
        }

        public Shaping build() {
            return new Shaping(profile, responsesOnly, dropMessageTypes, dropIdentities, dropQuerySuffixes,
                    dropQuerySuffixFile, dropQueryTypes, dropReplyCodes, dropClientNetworks, sampleRate, liveFile,
                    serverMetrics, privacy, enrichment, enrich);
        }
    }
}
