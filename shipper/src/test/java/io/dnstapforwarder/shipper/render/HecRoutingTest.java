package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.testkit.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where each DNS server's events go in Splunk: the options' metadata, and a routing file's rules by identity. */
class HecRoutingTest {

    private static final HecRouting.Metadata DEFAULTS = new HecRouting.Metadata("dnstap", "dnstap", null,
            Map.of("site", "ams1"));
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void eachServerGetsTheFirstRuleThatMatchesItsIdentityOverTheDefaults() throws Exception {
        HecRouting routing = HecRouting.of(DEFAULTS, file("""
                # identity            what goes to Splunk for it
                ns1.ams.example.net   index=dns_ams
                *.FRA.example.net     index=dns_fra sourcetype=dnstap:fra field.site=fra1 field.tier=edge
                *.example.net         index=dns_other source=resolvers
                """));

        assertThat(routing.of("ns1.ams.example.net")).isEqualTo(new HecRouting.Metadata("dnstap", "dnstap", "dns_ams",
                Map.of("site", "ams1")));
        assertThat(routing.of("ns2.fra.example.net")).as("patterns match DNS names without case").isEqualTo(
                new HecRouting.Metadata("dnstap", "dnstap:fra", "dns_fra", ordered("site", "fra1", "tier", "edge")));
        assertThat(routing.of("ns1.ams.example.net.evil")).isEqualTo(DEFAULTS);
        assertThat(routing.of("resolver-3.example.net").source()).isEqualTo("resolvers");
        assertThat(routing.of("unbound-test")).isEqualTo(DEFAULTS);
    }

    @Test
    void eventsCarryTheirServersIndexSourcetypeSourceAndIndexedFields() throws Exception {
        HecRouting routing = HecRouting.of(DEFAULTS, file("resolver-b  index=dns_b sourcetype=dnstap:b field.site=fra1\n"));
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings(routing, EventProfile.COMPACT,
                ClientPrivacy.NONE, Enrichment.NONE));
        byte[] frame = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE).get(0);

        for (int round = 0; round < 2; round++) { // the second time from the renderer's memory
            JsonNode a = json.readTree(renderer.render(event(frame, "resolver-a")));
            JsonNode b = json.readTree(renderer.render(event(frame, "resolver-b")));

            assertThat(a.get("host").asText()).isEqualTo("resolver-a");
            assertThat(a.get("source").asText()).isEqualTo("dnstap");
            assertThat(a.get("sourcetype").asText()).isEqualTo("dnstap");
            assertThat(a.has("index")).as("the token's default index").isFalse();
            assertThat(a.get("fields")).isEqualTo(json.readTree("{\"site\":\"ams1\"}"));
            assertThat(b.get("index").asText()).isEqualTo("dns_b");
            assertThat(b.get("sourcetype").asText()).isEqualTo("dnstap:b");
            assertThat(b.get("fields")).isEqualTo(json.readTree("{\"site\":\"fra1\"}"));
            assertThat(b.get("event").get("query").asText()).isEqualTo(a.get("event").get("query").asText());
        }
    }

    @Test
    void aChangedFileAppliesToTheNextEventAndABadOneLeavesTheRulesInForce() throws Exception {
        Path file = file("resolver-a index=dns_a\n");
        HecRouting routing = HecRouting.of(DEFAULTS, file);
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings(routing, EventProfile.COMPACT,
                ClientPrivacy.NONE, Enrichment.NONE));
        byte[] frame = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE).get(0);
        assertThat(json.readTree(renderer.render(event(frame, "resolver-a"))).get("index").asText()).isEqualTo("dns_a");

        Files.writeString(file, "resolver-a index=dns_new\n");
        routing.reload();
        assertThat(json.readTree(renderer.render(event(frame, "resolver-a"))).get("index").asText()).isEqualTo("dns_new");

        Files.writeString(file, "resolver-a index=Not_An_Index\n");
        assertThatThrownBy(routing::reload).isInstanceOf(ConfigException.class).hasMessageContaining("line 1");
        assertThat(json.readTree(renderer.render(event(frame, "resolver-a"))).get("index").asText()).isEqualTo("dns_new");
    }

    @Test
    void aRuleOrOptionSplunkCouldNotTakeIsRefusedNamingWhere() throws Exception {
        assertRefused("ns1 index=dns_a\nns2\n", "line 2", "an identity and at least one setting");
        assertRefused("ns1 index=dns_a colour=blue\n", "line 1", "unknown setting 'colour'");
        assertRefused("ns1 index=\n", "line 1", "has no value");
        assertRefused("ns1 index=_internal\n", "line 1", "not a Splunk index name");
        assertRefused("ns1 field.host=x\n", "line 1", "cannot be an indexed field's name");
        assertRefused("ns1 field.2fast=x\n", "line 1", "cannot be an indexed field's name");
        assertThatThrownBy(() -> HecRouting.of(new HecRouting.Metadata("dnstap", "dnstap", null, Map.of("index", "x")), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--hec-field");
        assertThatThrownBy(() -> HecRouting.of(new HecRouting.Metadata(" ", "dnstap", null, Map.of()), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--hec-source");
        assertThatThrownBy(() -> HecRouting.of(DEFAULTS, dir.resolve("missing")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--hec-routing-file");
    }

    private void assertRefused(String rules, String where, String why) throws Exception {
        Path file = file(rules);
        assertThatThrownBy(() -> HecRouting.of(DEFAULTS, file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--hec-routing-file").hasMessageContaining(where).hasMessageContaining(why);
    }

    private Path file(String text) throws Exception {
        Path file = Files.createTempFile(dir, "routing", ".txt");
        Files.writeString(file, text);
        return file;
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static DnstapEvent event(byte[] frame, String identity) throws Exception {
        byte[] withIdentity = Dnstap.parseFrom(frame).toBuilder().setIdentity(ByteString.copyFromUtf8(identity)).build()
                .toByteArray();
        return DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(withIdentity))
                .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("collector-1").setConnectionId(7)
                .setTransport(Transport.UNIX).setPeerAddress("/run/dnstap.sock").setReceivedAtNs(1).build();
    }
}
