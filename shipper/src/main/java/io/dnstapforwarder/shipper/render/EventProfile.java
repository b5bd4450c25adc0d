package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.config.ConfigException;
import java.util.Locale;

/**
 * Which fields an event carries: Splunk is licensed by the bytes it indexes, and DNS is most
 * customers' largest source. Kafka keeps the whole dnstap message whatever the profile, so an
 * operator can change it and {@code replay} a time range with another.
 *
 * <ul>
 *   <li>{@link #FULL}: everything dnstap and the DNS message carry (the default).
 *   <li>{@link #CIM}: what Splunk's Network Resolution data model uses, once: no answer section
 *       twice, no header details, no EDNS, no collector envelope.
 *   <li>{@link #COMPACT}: the fewest bytes that still say who asked what and what came back:
 *       {@code message_type}, {@code src}, {@code query}, {@code query_type}, {@code reply_code},
 *       {@code answer}.
 * </ul>
 * A message that does not decode keeps its raw bytes and {@code parse_error} in every profile.
 */
public enum EventProfile {

    FULL(true, true, true, true, true, true, true, true, true),
    CIM(false, true, true, false, true, false, false, true, true),
    COMPACT(false, false, false, false, false, false, false, false, false);

    /**
     * identity, version, extra, socket family, HTTP protocol, both timestamps, zone, policy, and
     * dest_port (the server's own port).
     */
    final boolean dnstapDetails;
    /** src_port, dest, transport. */
    final boolean endpoints;
    /** transaction_id, query_count, reply_code_id and the section counts. */
    final boolean header;
    /** message_size, opcode, flags, query_class. */
    final boolean headerDetails;
    /** ttl and record_type beside answer. */
    final boolean answerLists;
    /** The answer, authority and additional sections as records, and EDNS. */
    final boolean sections;
    /** collector, collector_peer, connection_id, received_at. */
    final boolean envelope;
    /** duration, dnstap_type (client or resolver traffic), and version (the CIM's vendor_product). */
    final boolean cimExtras;
    /**
     * What hunting adds that the CIM has no field for: the measures of the question name
     * ({@code --enrich name-shape}) and where addresses are ({@code --enrich geoip}).
     */
    final boolean hunting;

    EventProfile(boolean dnstapDetails, boolean endpoints, boolean header, boolean headerDetails, boolean answerLists,
            boolean sections, boolean envelope, boolean cimExtras, boolean hunting) {
        this.dnstapDetails = dnstapDetails;
        this.endpoints = endpoints;
        this.header = header;
        this.headerDetails = headerDetails;
        this.answerLists = answerLists;
        this.sections = sections;
        this.envelope = envelope;
        this.cimExtras = cimExtras;
        this.hunting = hunting;
    }

    /** The profile of an option's value ({@code --event-profile cim}). */
    public static EventProfile named(String name) {
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid("--event-profile", name, "must be full, cim or compact");
        }
    }

    /** The name as options take it: {@code full}, {@code cim}, {@code compact}. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
