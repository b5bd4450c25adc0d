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

    /**
     * {@code --enrich suspicious} in every profile: each event's reasons are those the test computes
     * from the query's text and type with the default thresholds (the textbook entropy, HttpClient's
     * list), present only when there is one; the metric counts them.
     */
    @Test
    void everyEventOfTheCaptureCarriesTheReasonsItsQuestionIsSuspicious() throws Exception {
        for (EventProfile profile : EventProfile.values()) {
            Enrichment suspicious = Enrichment.of(List.of("suspicious"), null);
            HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile,
                    ClientPrivacy.NONE, suspicious));
            java.util.Map<String, Integer> perReason = new java.util.TreeMap<>();
            for (DnstapEvent event : capture()) {
                JsonNode fields = json.readTree(renderer.render(event)).get("event");
                String query = fields.path("query").asText(null);
                if (query == null) {
                    assertThat(fields.has("query_suspicious")).isFalse();
                    continue;
                }
                List<String> rendered = new java.util.ArrayList<>();
                fields.path("query_suspicious").forEach(reason -> rendered.add(reason.asText()));
                assertThat(fields.has("query_suspicious")).as(query).isEqualTo(!rendered.isEmpty());
                if (query.contains("\\")) {
                    assertThat(rendered).as(query).contains("odd_characters");
                } else {
                    assertThat(rendered).as(query).isEqualTo(expectedReasons(query, fields.get("query_type").asText()));
                }
                rendered.forEach(reason -> perReason.merge(reason, 1, Integer::sum));
                assertThat(fields.has("query_length")).as("name-shape is not on").isFalse();
            }
            assertThat(perReason).as(profile.name()).containsKeys("long_name", "long_label", "odd_characters", "rare_type");
            for (var reason : io.dnstapforwarder.shipper.enrich.SuspiciousReason.values()) {
                assertThat(suspicious.suspiciousCounts().count(reason)).as(reason.fieldValue())
                        .isEqualTo(perReason.getOrDefault(reason.fieldValue(), 0).longValue());
            }
        }
    }

    /** The default thresholds, computed over the text of a name without escapes. */
    private List<String> expectedReasons(String query, String type) {
        List<String> reasons = new java.util.ArrayList<>();
        String lower = query.toLowerCase(Locale.ROOT);
        String bare = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        boolean reverse = bare.endsWith("in-addr.arpa") || bare.endsWith("ip6.arpa");
        String[] labels = bare.isEmpty() ? new String[0] : bare.split("\\.");
        String content = bare.replace(".", "");
        String root = independent.getDomainRoot(bare);
        boolean hasSubdomain = root != null && root.length() < bare.length();
        if (!reverse && bare.length() > 52) {
            reasons.add("long_name");
        }
        if (!reverse && labels.length > 10) {
            reasons.add("many_labels");
        }
        if (!reverse && java.util.Arrays.stream(labels).mapToInt(String::length).max().orElse(0) > 40) {
            reasons.add("long_label");
        }
        if (!reverse && hasSubdomain
                && entropy(bare.substring(0, bare.length() - root.length() - 1).replace(".", "")) > 4) {
            reasons.add("high_entropy");
        }
        if (!reverse && !content.isEmpty()
                && (double) content.chars().filter(Character::isDigit).count() / content.length() > 0.5) {
            reasons.add("many_digits");
        }
        if (!content.matches("[a-z0-9_-]*")) {
            reasons.add("odd_characters");
        }
        if (!io.dnstapforwarder.shipper.enrich.SuspicionRules.COMMON_TYPES.contains(type)) {
            reasons.add("rare_type");
        }
        return reasons;
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

    /** The aliases' targets of an answer, each registered domain once, as HttpClient's matcher computes them; cim too. */
    @Test
    void aResponseCarriesTheRegisteredDomainsItsAliasesLeadTo() throws Exception {
        org.xbill.DNS.Name owner = org.xbill.DNS.Name.fromConstantString("www.example.com.");
        org.xbill.DNS.Message dns = org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(owner,
                org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN));
        dns.getHeader().setFlag(org.xbill.DNS.Flags.QR);
        List<String> targets = List.of("www.example.com.edgekey.net.", "e1234.dscb.akamaiedge.net.",
                "d1.cloudfront.net.", "E5.DSCB.AKAMAIEDGE.NET.", "app.herokuapp.com.");
        for (String target : targets) {
            dns.addRecord(new org.xbill.DNS.CNAMERecord(owner, org.xbill.DNS.DClass.IN, 60,
                    org.xbill.DNS.Name.fromConstantString(target)), org.xbill.DNS.Section.ANSWER);
        }
        dns.addRecord(new org.xbill.DNS.ARecord(owner, org.xbill.DNS.DClass.IN, 60,
                java.net.InetAddress.getByName("192.0.2.1")), org.xbill.DNS.Section.ANSWER);
        byte[] frame = io.dnstapforwarder.dnstap.Dnstap.newBuilder().setType(io.dnstapforwarder.dnstap.Dnstap.Type.MESSAGE)
                .setMessage(io.dnstapforwarder.dnstap.Message.newBuilder()
                        .setType(io.dnstapforwarder.dnstap.Message.Type.CLIENT_RESPONSE)
                        .setResponseMessage(ByteString.copyFrom(dns.toWire()))).build().toByteArray();
        DnstapEvent event = DnstapEvents.parse(TransactionFrames.envelope(frame));
        List<String> expected = targets.stream().map(target -> independent.getDomainRoot(
                target.substring(0, target.length() - 1).toLowerCase(Locale.ROOT))).distinct().toList();

        for (EventProfile profile : List.of(EventProfile.FULL, EventProfile.CIM)) {
            JsonNode fields = json.readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile,
                    ClientPrivacy.NONE, REGISTERED_DOMAIN)).render(event)).get("event");
            List<String> rendered = new java.util.ArrayList<>();
            fields.get("answer_registered_domain").forEach(domain -> rendered.add(domain.asText()));
            assertThat(rendered).as(profile.name()).isEqualTo(expected)
                    .containsExactly("com.edgekey.net", "dscb.akamaiedge.net", "d1.cloudfront.net", "app.herokuapp.com");
            // The CDNs' names are suffixes of the list's private section, as herokuapp.com is: a customer's own.
        }
        JsonNode compact = json.readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null,
                EventProfile.COMPACT, ClientPrivacy.NONE, REGISTERED_DOMAIN)).render(event)).get("event");
        assertThat(compact.has("answer_registered_domain")).isFalse();
    }

    @Test
    void everyHostileFrameStillRendersAsOneJsonObjectWithEveryEnrichmentOn() throws Exception {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.FULL,
                ClientPrivacy.NONE, Enrichment.of(List.of("registered-domain", "name-shape", "suspicious"), null)));
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
    void aNameSeenBeforeIsWrittenAsTheProfileAndTheSwitchesInForceNowChoose() throws Exception {
        // A renderer keeps the fields it wrote of a name; a profile per server or a shaping file
        // turning an enrichment off must still change them at once.
        Enrichment switchable = Enrichment.of(List.of("registered-domain", "name-shape"), null);
        HecEventRenderer seen = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.FULL,
                ClientPrivacy.NONE, switchable));
        List<DnstapEvent> events = capture();
        for (List<String> on : List.of(List.of("registered-domain", "name-shape"), List.of("registered-domain"))) {
            switchable.turnOn(on);
            Enrichment fresh = Enrichment.of(on, null);
            for (EventProfile profile : List.of(EventProfile.FULL, EventProfile.CIM, EventProfile.COMPACT, EventProfile.FULL)) {
                HecEventRenderer first = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile,
                        ClientPrivacy.NONE, fresh));
                for (DnstapEvent event : events) {
                    assertThat(new String(seen.render(event, profile, 1), java.nio.charset.StandardCharsets.UTF_8))
                            .as("%s with %s", profile, on)
                            .isEqualTo(new String(first.render(event, profile, 1), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
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
