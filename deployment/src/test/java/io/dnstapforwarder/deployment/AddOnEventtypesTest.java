package io.dnstapforwarder.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.shipper.render.ClientPrivacy;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TransactionFrames;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The add-on's fields and eventtypes outside the data model (enrichment, transactions), on events
 * as the shipper renders them.
 */
class AddOnEventtypesTest {

    /** {@code eventtype=dnstap_dns_suspicious} is exactly the events with a reason, in every profile. */
    @Test
    void theSuspiciousEventtypeFindsEveryEventWithAReasonAndNoOther() throws Exception {
        SplunkAddOn addOn = SplunkAddOn.load("dnstap");
        for (EventProfile profile : EventProfile.values()) {
            HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile,
                    ClientPrivacy.NONE, Enrichment.of(List.of("suspicious"), null)));
            int suspicious = 0;
            for (DnstapEvent event : capture()) {
                JsonNode hec = Json.exactDecimals().readTree(renderer.render(event));
                List<String> reasons = new ArrayList<>();
                hec.get("event").path("query_suspicious").forEach(reason -> reasons.add(reason.asText()));
                Map<String, List<String>> fields = addOn.fields(hec.get("event"), "ns1", "dnstap");
                String which = profile + " " + fields.get("query");

                assertThat(addOn.eventtypes(fields).contains("dnstap_dns_suspicious")).as(which)
                        .isEqualTo(!reasons.isEmpty());
                assertThat(fields.getOrDefault("query_suspicious", List.of())).as(which).isEqualTo(reasons);
                suspicious += reasons.isEmpty() ? 0 : 1;
            }
            assertThat(suspicious).as(profile.name()).isEqualTo(140);
        }
    }

    @Test
    void theUnansweredEventtypeFindsAQueryNoResponseAnswered() throws Exception {
        SplunkAddOn addOn = SplunkAddOn.load("dnstap");
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.CIM));
        DnstapEvent query = capture().get(0);
        JsonNode unanswered = Json.exactDecimals().readTree(renderer.render(TransactionKind.UNANSWERED, query, null,
                EventProfile.CIM, 1, null));
        JsonNode paired = Json.exactDecimals().readTree(renderer.render(TransactionKind.PAIRED, query, capture().get(1),
                EventProfile.CIM, 1, null));

        assertThat(addOn.eventtypes(addOn.fields(unanswered.get("event"), "ns1", "dnstap")))
                .containsExactlyInAnyOrder("dnstap_dns", "dnstap_dns_unanswered");
        assertThat(addOn.eventtypes(addOn.fields(paired.get("event"), "ns1", "dnstap"))).containsExactly("dnstap_dns");
    }

    /**
     * What a resolver asked other servers is upstream traffic: its src is the resolver, so it stays
     * out of the data model; compact events, which lack fields the model requires, stay out too.
     */
    @Test
    void onlyClientTrafficOfTheFullAndCimProfilesEntersTheDataModel() throws Exception {
        SplunkAddOn addOn = SplunkAddOn.load("dnstap");
        byte[] frame = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE).get(0);
        Dnstap client = Dnstap.parseFrom(frame);
        for (Message.Type type : Message.Type.values()) {
            Dnstap dnstap = client.toBuilder().setMessage(client.getMessage().toBuilder().setType(type)).build();
            for (EventProfile profile : EventProfile.values()) {
                JsonNode hec = Json.exactDecimals().readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap",
                        null, profile)).render(CimNetworkResolutionTest.envelope(dnstap.toByteArray())));
                Map<String, List<String>> fields = addOn.fields(hec.get("event"), "ns1", "dnstap");
                String which = profile + " " + type;
                String name = type.name();

                if (profile == EventProfile.COMPACT) {
                    assertThat(addOn.eventtypes(fields)).as(which).isEmpty();
                } else if (name.startsWith("CLIENT_") || name.startsWith("AUTH_") || name.startsWith("UPDATE_")) {
                    assertThat(addOn.eventtypes(fields)).as(which).containsExactly("dnstap_dns");
                    assertThat(addOn.tags(fields)).as(which).containsExactlyInAnyOrder("network", "resolution", "dns");
                } else {
                    assertThat(addOn.eventtypes(fields)).as(which).containsExactly("dnstap_dns_upstream");
                    assertThat(addOn.tags(fields)).as(which).containsExactly("dns_upstream");
                }
            }
        }
    }

    /** The software as the CIM names it, whatever its version, from the version each server sends. */
    @Test
    void vendorProductIsTheServersSoftwareWithoutItsVersion() throws Exception {
        SplunkAddOn addOn = SplunkAddOn.load("dnstap");
        Map<String, String> seen = Map.of( // the version field of Debian 12's packages (DnsServerSnippetsTest runs them)
                "unbound 1.17.1", "Unbound",
                "BIND 9.18.49-1~deb12u3-Debian", "BIND",
                "Knot Resolver 5.6.0", "Knot Resolver",
                "dnsdist 1.7.3", "dnsdist",
                "pdns-recursor 4.8.8", "PowerDNS Recursor",
                "CoreDNS-1.11.1", "CoreDNS");
        byte[] frame = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE).get(0);
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.CIM));
        for (Map.Entry<String, String> version : seen.entrySet()) {
            Dnstap dnstap = Dnstap.parseFrom(frame).toBuilder().setVersion(com.google.protobuf.ByteString.copyFromUtf8(
                    version.getKey())).build();
            JsonNode hec = Json.exactDecimals().readTree(renderer.render(CimNetworkResolutionTest.envelope(dnstap.toByteArray())));

            Map<String, List<String>> fields = addOn.fields(hec.get("event"), "ns1", "dnstap");

            assertThat(fields.get("vendor_product")).as(version.getKey()).containsExactly(version.getValue());
        }
        Dnstap unknown = Dnstap.parseFrom(frame).toBuilder().setVersion(com.google.protobuf.ByteString.copyFromUtf8(
                "MyDNS 2.0")).build();
        Map<String, List<String>> fields = addOn.fields(Json.exactDecimals().readTree(renderer.render(
                CimNetworkResolutionTest.envelope(unknown.toByteArray()))).get("event"), "ns1", "dnstap");
        assertThat(fields).doesNotContainKey("vendor_product");
        assertThat(fields.get("dnstap_software")).containsExactly("mydns");
    }

    /** The answers' locations under their plain names, as lists; the client's as single values. */
    @Test
    void whereTheClientAndTheAnswersAreHaveTheirPlainNames() throws Exception {
        SplunkAddOn addOn = SplunkAddOn.load("dnstap");
        Enrichment geoip = Enrichment.of(List.of("geoip"), null, null, List.of(
                TestData.path("maxmind/GeoLite2-Country-Test.mmdb"), TestData.path("maxmind/GeoLite2-ASN-Test.mmdb")));
        DnstapEvent response = DnstapEvents.parse(TransactionFrames.responseWithAddresses(
                InetAddress.getByName("81.2.69.142").getAddress(), InetAddress.getByName("1.0.0.1").getAddress(),
                InetAddress.getByName("2.125.160.216").getAddress()));
        JsonNode hec = Json.exactDecimals().readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null,
                EventProfile.CIM, ClientPrivacy.NONE, geoip)).render(response));

        Map<String, List<String>> fields = addOn.fields(hec.get("event"), "ns1", "dnstap");

        assertThat(fields.get("src_country")).containsExactly("GB");
        assertThat(fields.get("answer_country")).containsExactly("GB");
        assertThat(fields.get("answer_asn")).containsExactly("15169");
        assertThat(fields.get("answer_as_org")).containsExactly("Google Inc.");
        assertThat(addOn.tags(fields)).contains("dns", "resolution", "network");
    }

    private static List<DnstapEvent> capture() throws Exception {
        return FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE).stream()
                .map(CimNetworkResolutionTest::envelope).toList();
    }
}
