package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.shipper.render.EventProfile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The shaping settings a live shaping file may change, defined once: as command-line options (a
 * mixin of the shipper's commands) and as the keys of {@code --shaping-file}, which is parsed by
 * these same definitions ({@link ShapingFile}). A new rule is one option here and one line in
 * {@link #over}.
 */
public final class ShapingRuleOptions {

    @Option(names = "--event-profile", paramLabel = "full|cim|compact", defaultValue = "full",
            description = "The fields each event carries: full (everything), cim (what Splunk's Network Resolution "
                    + "data model uses, once), compact (who asked what and what came back). Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--responses-only", paramLabel = "true|false", defaultValue = "false", arity = "0..1",
            fallbackValue = "true",
            description = "Send responses only: a response carries the question too. Default: ${DEFAULT-VALUE}.")
    boolean responsesOnly;

    @Option(names = "--drop-message-type", paramLabel = "TYPE", split = ",",
            description = "dnstap message types not to send, e.g. RESOLVER_QUERY,RESOLVER_RESPONSE.")
    List<String> dropMessageTypes = new ArrayList<>();

    @Option(names = "--drop-identity", paramLabel = "IDENTITY", split = ",",
            description = "DNS servers (dnstap identities) whose events not to send.")
    List<String> dropIdentities = new ArrayList<>();

    @Option(names = "--drop-query-suffix", paramLabel = "DOMAIN", split = ",",
            description = "Domains whose names (the domain and every name below it) not to send, e.g. "
                    + "in-addr.arpa,corp.example.")
    List<String> dropQuerySuffixes = new ArrayList<>();

    @Option(names = "--drop-query-suffix-file", paramLabel = "FILE",
            description = "More such domains, one per line (# comments): lists of 100,000 cost what 10 do.")
    Path dropQuerySuffixFile;

    @Option(names = "--drop-query-type", paramLabel = "TYPE", split = ",",
            description = "Question types not to send, e.g. PTR,TXT.")
    List<String> dropQueryTypes = new ArrayList<>();

    @Option(names = "--drop-reply-code", paramLabel = "RCODE", split = ",",
            description = "Responses with these reply codes not to send, e.g. NOERROR to keep only failures.")
    List<String> dropReplyCodes = new ArrayList<>();

    @Option(names = "--drop-client-network", paramLabel = "CIDR", split = ",",
            description = "Clients whose queries and responses not to send, e.g. 10.0.99.0/24 (monitoring probes).")
    List<String> dropClientNetworks = new ArrayList<>();

    @Option(names = "--enrich", paramLabel = "none|registered-domain|name-shape|suspicious|geoip", split = ",",
            defaultValue = "none",
            description = "What to add to each event, any of: registered-domain adds query_registered_domain (the "
                    + "domain under its public suffix: evil.co.uk of a1b2.cdn.evil.co.uk) and, in the full profile, "
                    + "query_public_suffix, from the Public Suffix List; name-shape adds the measures of the question "
                    + "name (length, labels, longest label, digits ratio, subdomain entropy); suspicious adds "
                    + "query_suspicious, the reasons the question looks generated or data-carrying; geoip adds the "
                    + "country, AS number and AS organisation of the client and of the answers' addresses "
                    + "(--geoip-database). A shaping file may turn off, and on again, those given here. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> enrich = new ArrayList<>();

    @Option(names = "--sample-rate", paramLabel = "N", defaultValue = "1",
            description = "Send 1 event in N, chosen by query name and client so that a query and its response go "
                    + "together; events carry sample_rate=N. Default: ${DEFAULT-VALUE} (every event).")
    int sampleRate;

    /**
     * {@code base} with these settings over it: each one {@code given} says was set (a shaping file
     * sets some), or all of them (the command line, whose defaults are the defaults).
     */
    Shaping over(Shaping base, java.util.function.Predicate<String> given) {
        Shaping.Builder shaping = base.toBuilder();
        if (given.test("event-profile")) {
            shaping.profile(EventProfile.named(profile));
        }
        if (given.test("responses-only")) {
            shaping.responsesOnly(responsesOnly);
        }
        if (given.test("drop-message-type")) {
            shaping.dropMessageTypes(items(dropMessageTypes));
        }
        if (given.test("drop-identity")) {
            shaping.dropIdentities(items(dropIdentities));
        }
        if (given.test("drop-query-suffix")) {
            shaping.dropQuerySuffixes(items(dropQuerySuffixes));
        }
        if (given.test("drop-query-suffix-file")) {
            shaping.dropQuerySuffixFile(dropQuerySuffixFile);
        }
        if (given.test("drop-query-type")) {
            shaping.dropQueryTypes(items(dropQueryTypes));
        }
        if (given.test("drop-reply-code")) {
            shaping.dropReplyCodes(items(dropReplyCodes));
        }
        if (given.test("drop-client-network")) {
            shaping.dropClientNetworks(items(dropClientNetworks));
        }
        if (given.test("sample-rate")) {
            shaping.sampleRate(sampleRate);
        }
        if (given.test("enrich")) {
            shaping.enrich(items(enrich));
        }
        return shaping.build();
    }

    /** The options as given on the command line (every one, at its default when not given) over {@code fixed}. */
    public Shaping toShaping(Shaping fixed) {
        return over(fixed, key -> true);
    }

    /** The enrichments named on the command line: those loaded at start. */
    public List<String> enrich() {
        return items(enrich);
    }

    /** The list without blank items: {@code drop-query-type =} in a file empties it. */
    private static List<String> items(List<String> values) {
        return values.stream().map(String::strip).filter(item -> !item.isEmpty()).toList();
    }
}
