package io.dnstapforwarder.shipper.render;

import static io.dnstapforwarder.shipper.render.HecEventRendererTest.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.ReferenceDecode;
import io.dnstapforwarder.testkit.TestData;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client addresses and client subnets as Splunk gets them: as sent, truncated, or pseudonymized. */
class ClientPrivacyTest {

    @TempDir
    Path dir;

    @Test
    void truncatesClientAddressesToTheirNetworks() throws Exception {
        ClientPrivacy privacy = ClientPrivacy.of("truncate", 24, 56, null);

        assertThat(privacy.local().client(InetAddress.getByName("192.0.2.77").getAddress())).isEqualTo("192.0.2.0");
        assertThat(privacy.local().client(InetAddress.getByName("2001:db8:1:2ab:3:4:5:6").getAddress()))
                .isEqualTo("2001:db8:1:200::");
        assertThat(privacy.local().clientSubnet("198.51.100.128/25")).isEqualTo("198.51.100.0/24");
        assertThat(privacy.local().clientSubnet("198.51.0.0/16")).as("already wider").isEqualTo("198.51.0.0/16");
        assertThat(privacy.local().clientSubnet("2001:db8:1:2ab::/64")).isEqualTo("2001:db8:1:200::/56");
        assertThat(privacy.local().clientSubnet("example.org/24")).as("never a name looked up, never passed on")
                .isEqualTo("redacted");
        assertThat(privacy.local().clientSubnet("198.51.100.0/x")).isEqualTo("redacted");
    }

    /**
     * Keys rotating at midnight: each event's pseudonym is the HMAC of the key in force when it was
     * received, computed here with the JDK's Mac, and the event names that key.
     */
    @Test
    void eachEventIsPseudonymizedWithTheKeyInForceWhenItWasReceivedAndNamesIt() throws Exception {
        byte[] day1 = "the key of the first day, 32 b..".getBytes(StandardCharsets.US_ASCII);
        byte[] day2 = "the key of the second day, 32 b.".getBytes(StandardCharsets.US_ASCII);
        Path keys = Files.writeString(dir.resolve("keys"), "2026-12-07 2026-12-07T00:00:00Z hex:"
                + java.util.HexFormat.of().formatHex(day1) + "\n2026-12-08 2026-12-08T00:00:00Z base64:"
                + java.util.Base64.getEncoder().encodeToString(day2) + "\n");
        ClientPrivacy privacy = ClientPrivacy.of("pseudonymize", 24, 56, keys);
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.COMPACT,
                privacy));
        byte[] client = InetAddress.getByName("192.0.2.77").getAddress();

        JsonNode before = renderAt(renderer, client, "2026-12-07T23:59:59.9Z");
        JsonNode after = renderAt(renderer, client, "2026-12-08T00:00:00.1Z");
        JsonNode againBefore = renderAt(renderer, client, "2026-12-07T12:00:00Z");

        assertThat(before.get("pseudonym_key").asText()).isEqualTo("2026-12-07");
        assertThat(before.get("src").asText()).isEqualTo(hmac(day1, client));
        assertThat(after.get("pseudonym_key").asText()).isEqualTo("2026-12-08");
        assertThat(after.get("src").asText()).isEqualTo(hmac(day2, client)).isNotEqualTo(before.get("src").asText());
        assertThat(againBefore.get("src").asText()).as("the same day, the same name").isEqualTo(before.get("src").asText());
        assertThat(privacy.describe()).startsWith("pseudonymize with 2 keys (2026-12-07 from 2026-12-07T00:00:00Z, "
                + "2026-12-08 from 2026-12-08T00:00:00Z)");
        JsonNode truncated = Json.exactDecimals().readTree(new HecEventRenderer(new HecEventRenderer.Settings("dnstap",
                null, EventProfile.COMPACT, ClientPrivacy.of("truncate", 24, 56, null))).render(DnstapEvents.parse(
                io.dnstapforwarder.testkit.TransactionFrames.responseWithAddresses(client)))).get("event");
        assertThat(truncated.has("pseudonym_key")).as("no pseudonyms, no key").isFalse();
    }

    private static JsonNode renderAt(HecEventRenderer renderer, byte[] client, String receivedAt) throws Exception {
        io.dnstapforwarder.event.DnstapEvent event = DnstapEvents.parse(
                io.dnstapforwarder.testkit.TransactionFrames.responseWithAddresses(client)).toBuilder()
                .setReceivedAtNs(PseudonymKeysTest.nanos(receivedAt)).build();
        return Json.exactDecimals().readTree(renderer.render(event)).get("event");
    }

    /** 16 hex digits of HMAC-SHA256 of the address with the key. */
    private static String hmac(byte[] key, byte[] address) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(address)).substring(0, 16);
    }

    @Test
    void pseudonymizesWithTheKeySoThatAClientKeepsItsNameAndAnotherKeyGivesAnother() throws Exception {
        ClientPrivacy one = ClientPrivacy.of("pseudonymize", 24, 56, key("k1", "a secret of 32 bytes, or so ...."));
        ClientPrivacy same = ClientPrivacy.of("pseudonymize", 24, 56, key("k2", "a secret of 32 bytes, or so ...."));
        ClientPrivacy other = ClientPrivacy.of("pseudonymize", 24, 56, key("k3", "another secret of 32 bytes......"));
        byte[] client = InetAddress.getByName("192.0.2.77").getAddress();

        assertThat(one.local().client(client)).matches("[0-9a-f]{16}").isEqualTo(same.local().client(client))
                .isNotEqualTo(other.local().client(client)).isNotEqualTo(one.local().client(InetAddress.getByName("192.0.2.78").getAddress()));
        assertThat(one.local().clientSubnet("198.51.100.0/24")).matches("[0-9a-f]{16}/24");
    }

    @Test
    void refusesAPseudonymWithoutAKeyOrWithAShortOneNamingTheOption() throws Exception {
        assertThatThrownBy(() -> ClientPrivacy.of("pseudonymize", 24, 56, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--client-privacy-key-file");
        assertThatThrownBy(() -> ClientPrivacy.of("pseudonymize", 24, 56, key("short", "too short"))).isInstanceOf(
                ConfigException.class).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> ClientPrivacy.of("hide", 24, 56, null)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value for --client-privacy");
        assertThatThrownBy(() -> ClientPrivacy.of("truncate", 33, 56, null)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value for --client-ipv4-prefix");
    }

    @Test
    void noEventOfTheCaptureLeaksAClientAddressOrSubnetWhenTruncatingOrPseudonymizing() throws Exception {
        List<byte[]> capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        List<ReferenceDecode.Message> reference = ReferenceDecode.unboundSmall();
        Map<String, ClientPrivacy> modes = new HashMap<>(Map.of("truncate", ClientPrivacy.of("truncate", 24, 56, null),
                "pseudonymize", ClientPrivacy.of("pseudonymize", 24, 56, key("k", "0123456789abcdef0123456789abcdef"))));
        for (Map.Entry<String, ClientPrivacy> mode : modes.entrySet()) {
            HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.FULL,
                    mode.getValue()));
            for (int i = 0; i < capture.size(); i++) {
                String text = new String(renderer.render(envelope(capture.get(i), Transport.UNIX, "/s", 0)),
                        StandardCharsets.UTF_8);
                JsonNode event = Json.exactDecimals().readTree(text).get("event");
                String client = reference.get(i).queryAddress();
                assertThat(event.get("src").asText()).as(mode.getKey()).isNotEqualTo(client)
                        .isEqualTo(mode.getValue().local().client(InetAddress.getByName(client).getAddress()));
                if (event.has("ecs")) { // the capture's one: 192.0.2.0/24, sent as such or as a pseudonym
                    assertThat(event.get("ecs").asText()).isEqualTo(mode.getValue().local().clientSubnet("192.0.2.0/24"));
                    assertThat(event.at("/edns/options/0").has("data")).as("the option's raw bytes").isFalse();
                }
            }
        }
    }

    @Test
    void sendsNoRawBytesThatCouldHoldAnAddressWhenHidingThem() throws Exception {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.FULL,
                ClientPrivacy.of("truncate", 24, 56, null)));

        JsonNode event = Json.exactDecimals().readTree(renderer.render(envelope("not dnstap".getBytes(
                StandardCharsets.US_ASCII), Transport.UNIX, "/s", 0))).get("event");

        assertThat(event.get("parse_error").asText()).isNotBlank();
        assertThat(event.has("raw_frame")).isFalse();
    }

    @Property(tries = 500)
    void aTruncatedAddressIsTheFirstOfItsNetworkAndItsOwnTruncation(@ForAll @Size(4) byte[] ipv4,
            @ForAll @Size(16) byte[] ipv6) throws Exception {
        ClientPrivacy privacy = ClientPrivacy.of("truncate", 24, 56, null);
        for (byte[] address : List.of(ipv4, ipv6)) {
            String truncated = privacy.local().client(address);
            byte[] back = InetAddress.getByName(truncated).getAddress();

            assertThat(privacy.local().client(back)).isEqualTo(truncated);
            int keep = address.length == 4 ? 3 : 7;
            for (int i = 0; i < address.length; i++) {
                assertThat(back[i]).isEqualTo(i < keep ? address[i] : 0);
            }
        }
    }

    private Path key(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }
}
