package io.dnstapforwarder.shipper.render;

import com.google.protobuf.ByteString;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.HttpProtocol;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.dnstap.Policy;
import io.dnstapforwarder.dnstap.SocketFamily;
import io.dnstapforwarder.dnstap.SocketProtocol;
import io.dnstapforwarder.net.IpAddresses;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.shipper.render.dns.DnsNames;
import java.io.IOException;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;

/**
 * The fields of a dnstap message inside the HEC event: its type, who sent it, the sockets, the
 * times, zone and policy, and the DNS message ({@link DnsMessageFields}). One instance per
 * renderer: it keeps buffers and the encodings of repeated values. Not thread-safe.
 */
final class DnstapFieldsWriter {

    private static final byte[] QUERY = JsonWriter.quoted("Query");
    private static final byte[] RESPONSE = JsonWriter.quoted("Response");
    private static final Map<Message.Type, byte[]> DNSTAP_TYPES = encodedNames(Message.Type.class);
    private static final Map<SocketFamily, byte[]> FAMILIES = encodedNames(SocketFamily.class);
    private static final Map<HttpProtocol, byte[]> HTTP_PROTOCOLS = encodedNames(HttpProtocol.class);
    private static final Map<SocketProtocol, byte[]> TRANSPORTS = new EnumMap<>(SocketProtocol.class);

    static {
        for (SocketProtocol protocol : SocketProtocol.values()) {
            TRANSPORTS.put(protocol, JsonWriter.quoted(transport(protocol)));
        }
    }

    private final char[] digits = new char[EpochTime.MAX_CHARS];
    private final char[] address = new char[IpAddresses.MAX_IPV4_CHARS];
    private final DnsMessageFields dnsMessage;
    private final EncodedText identity;
    private final EncodedText version = new EncodedText();
    private final ClientPrivacy.Local privacy;
    private final Enrichment enrichment;
    private final GeoFields clientLocations;

    /**
     * @param identity the encoding of the last identity, shared with the envelope's {@code host}
     * @param privacy how the client's address is sent, with the key the renderer selected for the event
     * @param enrichment what is added to the DNS message's fields
     */
    DnstapFieldsWriter(EncodedText identity, ClientPrivacy.Local privacy, Enrichment enrichment) {
        this.identity = identity;
        this.privacy = privacy;
        this.enrichment = enrichment;
        this.clientLocations = enrichment.geoip() == null ? null : new GeoFields(enrichment.geoip());
        this.dnsMessage = new DnsMessageFields(privacy, enrichment);
    }

    /**
     * Writes the fields of {@code dnstap}; {@code message} is its message or null, {@code times}
     * which of its times are times. When {@code decodeFailure} is set, the DNS message is kept raw
     * instead of decoded. When {@code paired}, it is a query and its response in one message: its
     * {@code message_type} is both (a search for queries and one for responses each find the
     * transaction once), and it has its {@code duration} in every profile.
     */
    void write(Dnstap dnstap, Message message, DnsTimes times, RuntimeException decodeFailure, EventProfile profile,
            boolean paired, JsonWriter out) {
        if (message == null) {
            out.field(HecFields.DNSTAP_TYPE);
            out.string(dnstap.getType().name());
            return;
        }
        Message.Type type = message.getType();
        if (profile.cimExtras) {
            out.field(HecFields.DNSTAP_TYPE);
            out.value(DNSTAP_TYPES.get(type));
        }
        out.field(HecFields.MESSAGE_TYPE);
        if (paired) {
            out.startArray();
            out.value(QUERY);
            out.value(RESPONSE);
            out.endArray();
        } else {
            out.value(isQuery(type) ? QUERY : RESPONSE);
        }
        writeServer(dnstap, profile, out);
        writeSockets(message, profile, out);
        writeTimes(message, times, profile, paired, out);
        if (profile.dnstapDetails && message.hasQueryZone()) {
            writeZone(message.getQueryZone(), out);
        }
        if (profile.dnstapDetails && message.hasPolicy()) {
            writePolicy(message.getPolicy(), out);
        }
        writeDnsMessage(message, decodeFailure, profile, out);
    }

    /** identity and extra ({@code full}); version in {@code cim} too: the data model's vendor_product comes from it. */
    private void writeServer(Dnstap dnstap, EventProfile profile, JsonWriter out) {
        if (profile.dnstapDetails && dnstap.hasIdentity()) {
            out.field(HecFields.IDENTITY);
            out.value(identity.of(dnstap.getIdentity()));
        }
        if ((profile.dnstapDetails || profile.cimExtras) && dnstap.hasVersion()) {
            out.field(HecFields.VERSION);
            out.value(version.of(dnstap.getVersion()));
        }
        if (profile.dnstapDetails && dnstap.hasExtra()) {
            out.field(HecFields.EXTRA);
            out.string(dnstap.getExtra().toStringUtf8());
        }
    }

    private void writeSockets(Message message, EventProfile profile, JsonWriter out) {
        if (profile.dnstapDetails && message.hasSocketFamily()) {
            out.field(HecFields.SOCKET_FAMILY);
            out.value(FAMILIES.get(message.getSocketFamily()));
        }
        if (profile.endpoints && message.hasSocketProtocol()) {
            out.field(HecFields.TRANSPORT);
            out.value(TRANSPORTS.get(message.getSocketProtocol()));
        }
        if (profile.dnstapDetails && message.hasHttpProtocol()) {
            out.field(HecFields.HTTP_PROTOCOL);
            out.value(HTTP_PROTOCOLS.get(message.getHttpProtocol()));
        }
        if (privacy.hidesAddresses() && message.hasQueryAddress()) {
            String client = privacy.client(message.getQueryAddress().toByteArray());
            out.field(HecFields.SRC);
            out.string(client != null ? client : "redacted");
        } else {
            writeAddress(HecFields.SRC, message.hasQueryAddress(), message.getQueryAddress(), out);
        }
        if (privacy.keyId() != null) { // which key's pseudonyms these are: the same client, another key, another name
            out.field(HecFields.PSEUDONYM_KEY);
            out.string(privacy.keyId());
        }
        if (clientLocations != null && enrichment.geoipOn() && profile.hunting && message.hasQueryAddress()) {
            clientLocations.writeSource(message.getQueryAddress().toByteArray(), out);
        }
        if (!profile.endpoints) {
            return;
        }
        if (message.hasQueryPort()) {
            out.field(HecFields.SRC_PORT);
            out.number(Integer.toUnsignedLong(message.getQueryPort()));
        }
        writeAddress(HecFields.DEST, message.hasResponseAddress(), message.getResponseAddress(), out);
        if (profile.dnstapDetails && message.hasResponsePort()) { // the server's own port: 53 nearly always
            out.field(HecFields.DEST_PORT);
            out.number(Integer.toUnsignedLong(message.getResponsePort()));
        }
    }

    private void writeTimes(Message message, DnsTimes times, EventProfile profile, boolean paired, JsonWriter out) {
        if (profile.dnstapDetails && times.query()) {
            out.field(HecFields.QUERY_TIMESTAMP);
            out.number(digits, 0,
                    EpochTime.write(message.getQueryTimeSec(), Integer.toUnsignedLong(message.getQueryTimeNsec()), digits));
        }
        if (profile.dnstapDetails && times.response()) {
            out.field(HecFields.RESPONSE_TIMESTAMP);
            out.number(digits, 0, EpochTime.write(message.getResponseTimeSec(),
                    Integer.toUnsignedLong(message.getResponseTimeNsec()), digits));
        }
        if ((profile.cimExtras || paired) && times.query() && times.response()) {
            long nanos = (message.getResponseTimeSec() - message.getQueryTimeSec()) * 1_000_000_000L
                    + Integer.toUnsignedLong(message.getResponseTimeNsec()) - Integer.toUnsignedLong(message.getQueryTimeNsec());
            if (nanos >= 0) {
                int length = EpochTime.write(nanos, digits);
                out.field(HecFields.DURATION);
                out.number(digits, 0, length);
                if (paired && profile.cimExtras) { // CIM's name for the same: how long the answer took
                    out.field(HecFields.RESPONSE_TIME);
                    out.number(digits, 0, length);
                }
            } else {
                out.field(HecFields.DURATION_ERROR);
                out.string("the response is timed before its query");
            }
        }
        if (times.error() != null) {
            out.field(HecFields.TIME_ERROR);
            out.string(times.error());
        }
    }

    /** The query's or the response's DNS message, whichever the type calls for (or the one there is). */
    private void writeDnsMessage(Message message, RuntimeException decodeFailure, EventProfile profile, JsonWriter out) {
        boolean response = !isQuery(message.getType());
        ByteString wire = response
                ? (message.hasResponseMessage() ? message.getResponseMessage() : message.getQueryMessage())
                : (message.hasQueryMessage() ? message.getQueryMessage() : message.getResponseMessage());
        if (!wire.isEmpty()) {
            dnsMessage.write(wire, response, decodeFailure, profile, out);
        }
    }

    private static void writeZone(ByteString zone, JsonWriter out) {
        try {
            String presented = DnsNames.present(zone.toByteArray());
            out.field(HecFields.QUERY_ZONE);
            out.string(presented);
        } catch (IOException | RuntimeException e) {
            out.field(HecFields.QUERY_ZONE_RAW);
            out.string(Base64.getEncoder().encodeToString(zone.toByteArray()));
        }
    }

    /**
     * The policy (RPZ and the like) that acted on the message. With client privacy on, what names
     * the client goes through it too: a {@code CLIENT_IP} match's value is the client's address,
     * and an {@code rpz-client-ip} trigger's rule name spells the client's network in its labels
     * ({@code 32.77.2.0.192.rpz-client-ip.rpz.example}); the rule keeps only its trigger and zone.
     */
    private void writePolicy(Policy policy, JsonWriter out) {
        out.field(HecFields.POLICY);
        out.startObject();
        if (policy.hasType()) {
            out.field(HecFields.TYPE);
            out.string(policy.getType());
        }
        if (policy.hasRule()) {
            String rule;
            try {
                rule = DnsNames.present(policy.getRule().toByteArray());
            } catch (IOException | RuntimeException e) {
                rule = policy.getRule().toStringUtf8();
            }
            out.field(HecFields.RULE);
            out.string(privacy.hidesAddresses() ? withoutClientNetwork(rule) : rule);
        }
        if (policy.hasAction()) {
            out.field(HecFields.ACTION);
            out.string(policy.getAction().name());
        }
        if (policy.hasMatch()) {
            out.field(HecFields.MATCH);
            out.string(policy.getMatch().name());
        }
        if (policy.hasValue()) {
            ByteString value = policy.getValue();
            String address = IpAddresses.format(value.toByteArray());
            boolean isAddress = address != null && (policy.getMatch() == Policy.Match.CLIENT_IP
                    || policy.getMatch() == Policy.Match.RESPONSE_IP || policy.getMatch() == Policy.Match.NS_IP);
            out.field(HecFields.VALUE);
            if (policy.getMatch() == Policy.Match.CLIENT_IP && privacy.hidesAddresses()) {
                String client = privacy.client(value.toByteArray());
                out.string(client != null ? client : "redacted");
            } else {
                out.string(isAddress ? address : value.toStringUtf8());
            }
        }
        out.endObject();
    }

    private static final java.util.regex.Pattern CLIENT_IP_TRIGGER = java.util.regex.Pattern.compile(
            "(?i)^(?:.*?\\.)?(rpz-client-ip(?:\\..*)?)$");

    /** An RPZ rule name without the client network its {@code rpz-client-ip} trigger spells: from that label on. */
    static String withoutClientNetwork(String rule) {
        java.util.regex.Matcher trigger = CLIENT_IP_TRIGGER.matcher(rule);
        return trigger.matches() ? trigger.group(1) : rule;
    }

    private void writeAddress(byte[] field, boolean present, ByteString bytes, JsonWriter out) {
        if (!present) {
            return;
        }
        out.field(field);
        if (bytes.size() == 4) {
            out.string(address, 0, IpAddresses.writeIpv4(bytes.byteAt(0), bytes.byteAt(1), bytes.byteAt(2),
                    bytes.byteAt(3), address));
            return;
        }
        byte[] raw = bytes.toByteArray();
        String text = IpAddresses.format(raw);
        out.string(text != null ? text : Base64.getEncoder().encodeToString(raw));
    }

    static String transport(SocketProtocol protocol) {
        return switch (protocol) {
            case UDP -> "udp";
            case TCP -> "tcp";
            case DOT -> "dot";
            case DOH -> "doh";
            case DOQ -> "doq";
            case DNSCryptUDP -> "dnscrypt-udp";
            case DNSCryptTCP -> "dnscrypt-tcp";
        };
    }

    /** dnstap's query types are the odd values (AUTH_QUERY 1, ...), responses the even ones. */
    static boolean isQuery(Message.Type type) {
        return type.getNumber() % 2 == 1;
    }

    private static <E extends Enum<E>> Map<E, byte[]> encodedNames(Class<E> type) {
        Map<E, byte[]> names = new EnumMap<>(type);
        for (E value : type.getEnumConstants()) {
            names.put(value, JsonWriter.quoted(value.name()));
        }
        return names;
    }
}
