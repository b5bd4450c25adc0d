package io.dnstapforwarder.shipper.render;

import static io.dnstapforwarder.shipper.render.HecEventRendererTest.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.dnstap.Policy;
import io.dnstapforwarder.dnstap.SocketFamily;
import io.dnstapforwarder.dnstap.SocketProtocol;
import io.dnstapforwarder.event.Transport;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.HINFORecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Client addresses leave only through privacy: a message that puts the client's address in every
 * field of dnstap and of the DNS message that can carry it (the query address, the client subnet
 * of the query and of the response, an RPZ client-IP policy's value and rule name, a cookie, the
 * private options that forwarders use for client addresses, both DNS decoders) renders, with
 * truncation or pseudonyms, with the address in no form anywhere: not as text, not in hex, not in
 * base64, not spelt backwards in a rule name.
 */
class ClientAddressLeakTest {

    @TempDir
    Path dir;

    @Test
    void withPrivacyOnNoFormOfTheClientAddressIsInAnyEventOfAnyProfile() throws Exception {
        for (String client : List.of("192.0.2.77", "2001:db8::77")) {
            byte[] address = InetAddress.getByName(client).getAddress();
            for (byte[] frame : framesCarrying(address)) {
                for (ClientPrivacy privacy : List.of(ClientPrivacy.of("truncate", 24, 56, null),
                        ClientPrivacy.of("pseudonymize", 24, 56, key()))) {
                    for (EventProfile profile : EventProfile.values()) {
                        String event = render(frame, profile, privacy);
                        for (String form : forms(address)) {
                            assertThat(event).as("%s %s %s", client, privacy.mode(), profile)
                                    .doesNotContainIgnoringCase(form);
                        }
                    }
                }
            }
        }
    }

    @Test
    void withoutPrivacyTheAddressIsThereInTheSameFieldsSoTheTestCanSeeALeak() throws Exception {
        byte[] address = InetAddress.getByName("192.0.2.77").getAddress();
        String event = render(framesCarrying(address).get(0), EventProfile.FULL, ClientPrivacy.NONE);

        assertThat(event).contains("\"src\":\"192.0.2.77\"", "\"value\":\"192.0.2.77\"",
                "32.77.2.0.192.rpz-client-ip.rpz.example", "\"ecs\":\"192.0.2.77/32\"", "c000024d");
    }

    @Test
    void aClientIpRuleKeepsItsTriggerAndZone() throws Exception {
        String event = render(framesCarrying(InetAddress.getByName("192.0.2.77").getAddress()).get(0), EventProfile.FULL,
                ClientPrivacy.of("truncate", 24, 56, null));

        assertThat(event).contains("\"rule\":\"rpz-client-ip.rpz.example\"", "\"value\":\"192.0.2.0\"",
                "\"src\":\"192.0.2.0\"", "\"ecs\":\"192.0.2.0/24\"");
        assertThat(DnstapFieldsWriter.withoutClientNetwork("32.77.2.0.192.RPZ-CLIENT-IP.rpz.example"))
                .isEqualTo("RPZ-CLIENT-IP.rpz.example");
        assertThat(DnstapFieldsWriter.withoutClientNetwork("bad.example.rpz.example")).isEqualTo("bad.example.rpz.example");
    }

    /** A client response, and one whose answer only dnsjava decodes (HINFO), both full of the address. */
    private static List<byte[]> framesCarrying(byte[] address) throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (boolean unusualRecord : List.of(false, true)) {
            org.xbill.DNS.Message query = org.xbill.DNS.Message.newQuery(
                    Record.newRecord(Name.fromString("www.example."), Type.A, DClass.IN));
            query.addRecord(opt(address), Section.ADDITIONAL);
            org.xbill.DNS.Message response = org.xbill.DNS.Message.newQuery(
                    Record.newRecord(Name.fromString("www.example."), Type.A, DClass.IN));
            response.getHeader().setFlag(org.xbill.DNS.Flags.QR);
            response.addRecord(new ARecord(Name.fromString("www.example."), DClass.IN, 300,
                    InetAddress.getByName("198.51.100.1")), Section.ANSWER);
            if (unusualRecord) {
                response.addRecord(new HINFORecord(Name.fromString("www.example."), DClass.IN, 300, "cpu", "os"),
                        Section.ANSWER);
            }
            response.addRecord(opt(address), Section.ADDITIONAL);
            String reversed = reversedOctets(address);
            Message message = Message.newBuilder().setType(Message.Type.CLIENT_RESPONSE)
                    .setSocketFamily(address.length == 4 ? SocketFamily.INET : SocketFamily.INET6)
                    .setSocketProtocol(SocketProtocol.UDP).setQueryAddress(ByteString.copyFrom(address)).setQueryPort(5353)
                    .setResponseAddress(ByteString.copyFrom(InetAddress.getByName(address.length == 4 ? "127.0.0.1" : "::1")
                            .getAddress())).setResponsePort(53)
                    .setQueryTimeSec(1_795_964_864L).setQueryTimeNsec(1000)
                    .setResponseTimeSec(1_795_964_864L).setResponseTimeNsec(2000)
                    .setQueryMessage(ByteString.copyFrom(query.toWire()))
                    .setResponseMessage(ByteString.copyFrom(response.toWire()))
                    .setPolicy(Policy.newBuilder().setType("RPZ").setMatch(Policy.Match.CLIENT_IP)
                            .setAction(Policy.Action.NXDOMAIN).setValue(ByteString.copyFrom(address))
                            .setRule(ByteString.copyFrom(Name.fromString(reversed + ".rpz-client-ip.rpz.example.")
                                    .toWire())))
                    .build();
            frames.add(Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setIdentity(ByteString.copyFromUtf8("resolver-1"))
                    .setMessage(message).build().toByteArray());
        }
        return frames;
    }

    /** EDNS with the client's subnet, a cookie, and private options carrying its address (dnsdist's, Umbrella's). */
    private static OPTRecord opt(byte[] address) throws Exception {
        List<EDNSOption> options = List.of(
                new ClientSubnetOption(address.length * 8, InetAddress.getByAddress(address)),
                new CookieOption(java.util.Arrays.copyOf(address, 8)),
                new GenericEDNSOption(65001, address),
                new GenericEDNSOption(20292, address));
        return new OPTRecord(1232, 0, 0, 0, options);
    }

    /** The address as an RPZ rpz-client-ip trigger spells it: prefix length, then the octets backwards. */
    private static String reversedOctets(byte[] address) {
        StringBuilder reversed = new StringBuilder(String.valueOf(address.length * 8));
        if (address.length == 4) {
            for (int i = 3; i >= 0; i--) {
                reversed.append('.').append(address[i] & 0xFF);
            }
        } else {
            for (int i = 14; i >= 0; i -= 2) {
                reversed.append('.').append(Integer.toHexString(((address[i] & 0xFF) << 8) | (address[i + 1] & 0xFF)));
            }
        }
        return reversed.toString();
    }

    /** Every form the address could take in an event. */
    private static List<String> forms(byte[] address) throws Exception {
        String text = InetAddress.getByAddress(address).getHostAddress();
        List<String> forms = new ArrayList<>(List.of(HexFormat.of().formatHex(address),
                Base64.getEncoder().encodeToString(address), Base64.getEncoder().withoutPadding().encodeToString(address),
                reversedOctets(address).substring(reversedOctets(address).indexOf('.') + 1)));
        if (address.length == 4) {
            forms.add(text);
        } else {
            forms.add("2001:db8::77");
            forms.add(text.toLowerCase(Locale.ROOT));
        }
        return forms;
    }

    private static String render(byte[] frame, EventProfile profile, ClientPrivacy privacy) {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, profile, privacy));
        return new String(renderer.render(envelope(frame, Transport.UNIX, "/s", 0)), StandardCharsets.UTF_8);
    }

    private Path key() throws Exception {
        return Files.writeString(dir.resolve("key"), "0123456789abcdef0123456789abcdef");
    }
}
