package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.shipper.enrich.GeoDatabases;
import io.dnstapforwarder.shipper.render.dns.DnsMessageView;
import java.util.ArrayList;
import java.util.List;

/**
 * Where addresses are ({@code --enrich geoip}), in {@code full} and {@code cim}: the client's
 * ({@code src_country}, {@code src_asn}, {@code src_as_org}, looked up before client privacy
 * changes the address) and the answers' ({@code answer_country}, {@code answer_asn},
 * {@code answer_as_org}: each value once, in the order the answers give them; an analyst asks
 * whether a name points to a country or a network, not which record did). A field no database
 * knows is left out. Not thread-safe: a renderer has one for its clients and one for its answers,
 * each remembering the last addresses it located.
 */
final class GeoFields {

    private final GeoDatabases.Recent recent;
    private final List<String> countries = new ArrayList<>();
    private final List<Long> asns = new ArrayList<>();
    private final List<String> organisations = new ArrayList<>();

    /** Locations from {@code geoip}, remembering the last ones (one instance for clients, one for answers). */
    GeoFields(GeoDatabases geoip) {
        this.recent = geoip.recent();
    }

    /** The client's location, from {@code address} as dnstap carries it (4 or 16 bytes). */
    void writeSource(byte[] address, JsonWriter out) {
        GeoDatabases.Location location = recent.locate(address);
        if (location.country() != null) {
            out.field(HecFields.SRC_COUNTRY);
            out.string(location.country());
        }
        if (location.asn() != 0) {
            out.field(HecFields.SRC_ASN);
            out.number(location.asn());
        }
        if (location.asOrganisation() != null) {
            out.field(HecFields.SRC_AS_ORG);
            out.string(location.asOrganisation());
        }
    }

    /** The locations of the A and AAAA records of the answer section. */
    void writeAnswers(DnsMessageView message, JsonWriter out) {
        countries.clear();
        asns.clear();
        organisations.clear();
        for (int i = 0, answers = message.records(DnsMessageView.ANSWER); i < answers; i++) {
            byte[] address = message.address(DnsMessageView.ANSWER, i);
            if (address == null) {
                continue;
            }
            GeoDatabases.Location location = recent.locate(address);
            addOnce(countries, location.country());
            addOnce(asns, location.asn() == 0 ? null : location.asn());
            addOnce(organisations, location.asOrganisation());
        }
        out.strings(HecFields.ANSWER_COUNTRY, countries);
        if (!asns.isEmpty()) {
            out.field(HecFields.ANSWER_ASN);
            out.startArray();
            for (long asn : asns) {
                out.number(asn);
            }
            out.endArray();
        }
        out.strings(HecFields.ANSWER_AS_ORG, organisations);
    }

    private static <T> void addOnce(List<T> values, T value) {
        if (value != null && !values.contains(value)) {
            values.add(value);
        }
    }
}
