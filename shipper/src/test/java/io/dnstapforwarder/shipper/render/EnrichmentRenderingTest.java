package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TransactionFrames;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.hc.client5.http.psl.PublicSuffixMatcher;
import org.apache.hc.client5.http.psl.PublicSuffixMatcherLoader;
import org.junit.jupiter.api.Test;

/**
 * {@code --enrich registered-domain} on Unbound's real traffic: each event's registered domain as
 * another implementation of the same list computes it (HttpClient's own matcher), in the fields
 * each profile keeps.
 */
class EnrichmentRenderingTest {

    private static final Enrichment REGISTERED_DOMAIN = Enrichment.of(List.of("registered-domain"), null);
    private final ObjectMapper json = io.dnstapforwarder.testkit.Json.exactDecimals();
    private final PublicSuffixMatcher independent = PublicSuffixMatcherLoader.getDefault();

    @Test
    void everyEventOfTheCaptureCarriesItsQuestionsRegisteredDomain() throws Exception {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.FULL,
                ClientPrivacy.NONE, REGISTERED_DOMAIN));
        int withDomain = 0;
        for (DnstapEvent event : capture()) {
            JsonNode fields = json.readTree(renderer.render(event)).get("event");
            String query = fields.path("query").asText(null);
            if (query == null) {
                continue;
            }
            String expected = query.contains("\\") ? null : independent.getDomainRoot(query.toLowerCase(Locale.ROOT));
            assertThat(fields.path("query_registered_domain").asText(null)).as(query).isEqualTo(expected);
            if (expected != null) {
                withDomain++;
                assertThat(fields.get("query_public_suffix").asText()).as(query)
                        .isEqualTo(expected.substring(expected.indexOf('.') + 1));
            }
        }
        assertThat(withDomain).as("the capture's names under test.example and the like").isGreaterThan(500);
    }

    @Test
    void everyEventOfTheCaptureCarriesItsQuestionsShapeAsItsTextSays() throws Exception {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.CIM,
                ClientPrivacy.NONE, Enrichment.of(List.of("name-shape"), null)));
        int measured = 0;
        for (DnstapEvent event : capture()) {
            JsonNode fields = json.readTree(renderer.render(event)).get("event");
            String query = fields.path("query").asText(null);
            if (query == null || query.contains("\\") || query.equals(".")) {
                continue; // escaped names: NameShapeTest
            }
            String[] labels = query.split("\\.");
            String content = query.replace(".", "");
            assertThat(fields.get("query_length").asInt()).as(query).isEqualTo(query.length());
            assertThat(fields.get("query_labels").asInt()).as(query).isEqualTo(labels.length);
            assertThat(fields.get("query_longest_label").asInt()).as(query)
                    .isEqualTo(java.util.Arrays.stream(labels).mapToInt(String::length).max().orElseThrow());
            assertThat(fields.get("query_digits_ratio").decimalValue()).as(query).isEqualByComparingTo(thousandths(
                    (double) content.chars().filter(Character::isDigit).count() / content.length()));
            String root = independent.getDomainRoot(query.toLowerCase(Locale.ROOT));
            if (root != null && root.length() < query.length()) {
                String subdomain = query.substring(0, query.length() - root.length() - 1).replace(".", "");
                assertThat(fields.get("query_subdomain_entropy").decimalValue()).as(query)
                        .isEqualByComparingTo(thousandths(entropy(subdomain)));
            } else {
                assertThat(fields.has("query_subdomain_entropy")).as(query).isFalse();
            }
            assertThat(fields.has("query_registered_domain")).as("name-shape alone").isFalse();
            measured++;
        }
        assertThat(measured).isGreaterThan(500);
    }

    private static java.math.BigDecimal thousandths(double value) {
        return java.math.BigDecimal.valueOf(Math.round(value * 1000), 3);
    }

    /** Shannon entropy, bits per character, letters in one case. */
    private static double entropy(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        double bits = 0;
        for (long count : lower.chars().boxed().collect(java.util.stream.Collectors.groupingBy(c -> c,
                java.util.stream.Collectors.counting())).values()) {
            double p = (double) count / lower.length();
            bits -= p * Math.log(p) / Math.log(2);
        }
        return bits;
    }

    @Test
    void anInternationalisedNameIsMatchedAsSentAndDecodedBesideIt() throws Exception {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.FULL,
                ClientPrivacy.NONE, REGISTERED_DOMAIN));

        JsonNode idn = json.readTree(renderer.render(DnstapEvents.parse(TransactionFrames.half(
                io.dnstapforwarder.dnstap.Message.Type.CLIENT_QUERY, "ns1", 53000, 1, "www.xn--85x722f.xn--55qx5d.cn",
                1)))).get("event");
        assertThat(idn.get("query").asText()).isEqualTo("www.xn--85x722f.xn--55qx5d.cn");
        assertThat(idn.get("query_registered_domain").asText()).isEqualTo("xn--85x722f.xn--55qx5d.cn");
        assertThat(idn.get("query_unicode").asText()).isEqualTo("www.\u98df\u72ee.\u516c\u53f8.cn");

        JsonNode undecodable = json.readTree(renderer.render(DnstapEvents.parse(TransactionFrames.half(
                io.dnstapforwarder.dnstap.Message.Type.CLIENT_QUERY, "ns1", 53000, 1, "xn--zz-.example", 1))))
                .get("event");
        assertThat(undecodable.has("query_unicode")).as("punycode that does not decode: as sent only").isFalse();
        assertThat(undecodable.get("query_registered_domain").asText()).isEqualTo("xn--zz-.example");
    }

    @Test
    void everyHostileFrameStillRendersAsOneJsonObjectWithEveryEnrichmentOn() throws Exception {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.FULL,
                ClientPrivacy.NONE, Enrichment.of(List.of("registered-domain", "name-shape"), null)));
        List<byte[]> hostile = FrameStreamFile.readAll(TestData.path("hostile.fstrm"), DnstapEvents.DNSTAP_CONTENT_TYPE);
        assertThat(hostile).hasSize(19);
        for (byte[] frame : hostile) {
            DnstapEvent event = DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame))
                    .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("c").setReceivedAtNs(1).build();
            assertThat(json.readTree(renderer.render(event)).get("event").isObject()).isTrue();
        }
    }

    @Test
    void cimAndCompactKeepTheRegisteredDomainOnlyAndNoEnrichmentAddsNothing() throws Exception {
        DnstapEvent first = capture().get(0);
        for (EventProfile profile : List.of(EventProfile.CIM, EventProfile.COMPACT)) {
            JsonNode fields = json.readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile,
                    ClientPrivacy.NONE, REGISTERED_DOMAIN)).render(first)).get("event");
            assertThat(fields.get("query_registered_domain").asText()).as(profile.name()).isEqualTo("test.example");
            assertThat(fields.has("query_public_suffix")).as(profile.name()).isFalse();
        }
        JsonNode plain = json.readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null))
                .render(first)).get("event");
        assertThat(plain.has("query_registered_domain")).isFalse();
    }

    @Test
    void anUnknownEnrichmentOrAListWithoutItStopsTheStartNamingTheOption() {
        assertThatThrownBy(() -> Enrichment.of(List.of("geoip-of-the-future"), null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--enrich");
        assertThatThrownBy(() -> Enrichment.of(List.of("none"), Path.of("psl.dat")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--public-suffix-file");
        assertThat(Enrichment.of(List.of("none"), null)).isEqualTo(Enrichment.NONE);
        assertThat(REGISTERED_DOMAIN.describe()).startsWith("registered-domain (Public Suffix List bundled 20");
    }

    private static List<DnstapEvent> capture() throws Exception {
        return FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE).stream()
                .map(frame -> DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame))
                        .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("collector-1").setConnectionId(7)
                        .setTransport(Transport.UNIX).setPeerAddress("/run/dnstap.sock").setReceivedAtNs(1).build())
                .toList();
    }
}
