package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TransactionFrames;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --enrich geoip} in events, with the MaxMind-DB project's test databases: the client's and
 * the answers' locations as the databases' source data says (GeoDatabasesTest checks the lookups
 * themselves), in the profiles that keep them, looked up before client privacy.
 */
class GeoRenderingTest {

    private static final List<Path> DATABASES = List.of(TestData.path("maxmind/GeoLite2-Country-Test.mmdb"),
            TestData.path("maxmind/GeoLite2-ASN-Test.mmdb"));
    private static final Enrichment GEOIP = Enrichment.of(List.of("geoip"), null, null, DATABASES);

    @Test
    void aResponseCarriesWhereItsClientAndItsAnswersAre() throws Exception {
        JsonNode event = render(EventProfile.FULL, ClientPrivacy.NONE);

        assertThat(event.get("src").asText()).isEqualTo("81.2.69.142");
        assertThat(event.get("src_country").asText()).isEqualTo("GB"); // 81.2.69.142/31
        assertThat(event.has("src_asn")).as("not in the ASN test data").isFalse();
        // 1.0.0.1 and 1.0.0.2: AS15169, no country (its values once); 2.125.160.216: GB; 2001:218::1: JP
        assertThat(event.get("answer_country").toString()).isEqualTo("[\"GB\",\"JP\"]");
        assertThat(event.get("answer_asn").toString()).isEqualTo("[15169]");
        assertThat(event.get("answer_as_org").toString()).isEqualTo("[\"Google Inc.\"]");
    }

    @Test
    void cimKeepsTheLocationsAndCompactLeavesThemOut() throws Exception {
        JsonNode cim = render(EventProfile.CIM, ClientPrivacy.NONE);
        assertThat(cim.get("src_country").asText()).isEqualTo("GB");
        assertThat(cim.get("answer_asn").toString()).isEqualTo("[15169]");

        JsonNode compact = render(EventProfile.COMPACT, ClientPrivacy.NONE);
        assertThat(compact.has("src_country")).isFalse();
        assertThat(compact.has("answer_country")).isFalse();
    }

    /** 81.2.69.0, the truncated address, is in no network of the test data: the country is the real address's. */
    @Test
    void theClientIsLocatedBeforePrivacyChangesItsAddress() throws Exception {
        JsonNode event = render(EventProfile.FULL, ClientPrivacy.of("truncate", 24, 48, null));
        assertThat(event.get("src").asText()).isEqualTo("81.2.69.0");
        assertThat(event.get("src_country").asText()).isEqualTo("GB");
    }

    @Test
    void everyEventOfTheCaptureRendersWithGeoipOnAndLoopbackIsNowhere() throws Exception {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.FULL,
                ClientPrivacy.NONE, GEOIP));
        int events = 0;
        for (byte[] frame : FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE)) {
            JsonNode event = Json.exactDecimals().readTree(renderer.render(DnstapEvents.parse(
                    TransactionFrames.envelope(frame)))).get("event");
            assertThat(event.has("src_country")).as(event.path("src").asText()).isFalse(); // 127.0.0.1 and ::1
            events++;
        }
        assertThat(events).isEqualTo(652);
        assertThat(GEOIP.geoip().failures()).isZero();
    }

    @Test
    void geoipWithoutADatabaseOrADatabaseWithoutGeoipStopsTheStart() {
        assertThatThrownBy(() -> Enrichment.of(List.of("geoip"), null, null, List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--geoip-database");
        assertThatThrownBy(() -> Enrichment.of(List.of("registered-domain"), null, null, DATABASES))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--geoip-database")
                .hasMessageContaining("--enrich geoip");
        assertThat(GEOIP.describe()).startsWith("geoip (GeoLite2-Country built ").doesNotContain("Public Suffix");
    }

    private static JsonNode render(EventProfile profile, ClientPrivacy privacy) throws Exception {
        DnstapEvent event = DnstapEvents.parse(TransactionFrames.responseWithAddresses(address("81.2.69.142"),
                address("1.0.0.1"), address("1.0.0.2"), address("2.125.160.216"), address("2001:218::1")));
        return Json.exactDecimals().readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile,
                privacy, GEOIP)).render(event)).get("event");
    }

    static byte[] address(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress(); // a literal: nothing is resolved
    }
}
