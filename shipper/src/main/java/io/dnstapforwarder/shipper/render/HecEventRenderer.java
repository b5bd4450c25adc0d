package io.dnstapforwarder.shipper.render;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.HttpProtocol;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.dnstap.Policy;
import io.dnstapforwarder.dnstap.SocketFamily;
import io.dnstapforwarder.dnstap.SocketProtocol;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.net.IpAddresses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one {@link DnstapEvent} into one Splunk HEC event (a JSON object for
 * {@code /services/collector/event}).
 *
 * <p>Nothing the DNS server sent is dropped: a DNS message that does not decode still becomes an
 * event, with {@code parse_error} and the message in base64; so does a frame that is not dnstap.
 *
 * <p>This runs for every event, so what repeats is encoded once: field names, enum values, and
 * the last identity, version, collector and peer seen (a stream carries the same ones for
 * millions of events). One instance per thread: it keeps those caches and its output buffer.
 */
public final class HecEventRenderer {

    /** Where events go in Splunk. {@code index} may be null: HEC then uses the token's default. */
    public record Settings(String sourcetype, String index) {
    }

    private static final byte[] SOURCE = JsonWriter.quoted("dnstap");
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

    private final byte[] sourcetype;
    private final byte[] index;
    private final JsonWriter out = new JsonWriter(4096);
    private final char[] digits = new char[EpochTime.MAX_CHARS];
    private final char[] address = new char[IpAddresses.MAX_IPV4_CHARS];
    private final char[] time = new char[ReceiptTime.MAX_CHARS];
    private final DnsMessageWriter dnsMessage = new DnsMessageWriter();
    private final WireMessage wireMessage = new WireMessage();
    private final LastText identity = new LastText();
    private final LastText version = new LastText();
    private final LastText collector = new LastText();
    private final ReceiptTime receivedAt = new ReceiptTime();
    private DnstapEvent lastPeerOf;
    private byte[] lastPeer;

    public HecEventRenderer(Settings settings) {
        this.sourcetype = JsonWriter.quoted(settings.sourcetype());
        this.index = settings.index() == null ? null : JsonWriter.quoted(settings.index());
    }

    /** The event as UTF-8 JSON, one object, no trailing newline. */
    public byte[] render(DnstapEvent envelope) {
        try {
            return render(envelope, null);
        } catch (RuntimeException e) {
            // A decoder bug on some odd record: keep the event, with the DNS message raw.
            return render(envelope, e);
        }
    }

    /** Renders the event; when {@code decodeFailure} is set, the DNS message is not decoded but kept raw. */
    private byte[] render(DnstapEvent envelope, RuntimeException decodeFailure) {
        out.reset();
        Dnstap dnstap = parseDnstap(envelope);
        Message message = dnstap != null && dnstap.hasMessage() ? dnstap.getMessage() : null;
        out.startObject();
        out.field(HecFields.TIME);
        writeEventTime(message, envelope);
        out.field(HecFields.HOST);
        writeHost(dnstap, envelope);
        out.field(HecFields.SOURCE);
        out.value(SOURCE);
        out.field(HecFields.SOURCETYPE);
        out.value(sourcetype);
        if (index != null) {
            out.field(HecFields.INDEX);
            out.value(index);
        }
        out.field(HecFields.EVENT);
        out.startObject();
        if (dnstap == null) {
            writeUndecodableFrame(envelope);
        } else {
            writeDnstap(dnstap, message, decodeFailure);
        }
        writeEnvelope(envelope);
        out.endObject();
        out.endObject();
        return out.toByteArray();
    }

    private static Dnstap parseDnstap(DnstapEvent envelope) {
        try {
            // Aliasing: the DNS messages stay views of the frame's bytes instead of copies of them.
            CodedInputStream in = envelope.getFrame().newCodedInput();
            in.enableAliasing(true);
            return Dnstap.parser().parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /** The DNS event time: the query's time for queries, the response's for responses, else the other, else receipt. */
    private void writeEventTime(Message message, DnstapEvent envelope) {
        int length;
        if (message != null && message.hasQueryTimeSec() && (isQuery(message.getType()) || !message.hasResponseTimeSec())) {
            length = EpochTime.write(message.getQueryTimeSec(), Integer.toUnsignedLong(message.getQueryTimeNsec()), digits);
        } else if (message != null && message.hasResponseTimeSec()) {
            length = EpochTime.write(message.getResponseTimeSec(), Integer.toUnsignedLong(message.getResponseTimeNsec()),
                    digits);
        } else {
            length = EpochTime.write(envelope.getReceivedAtNs(), digits);
        }
        out.number(digits, 0, length);
    }

    /** The DNS server's identity; else the collector's peer address; for Unix sockets the collector's host. */
    private void writeHost(Dnstap dnstap, DnstapEvent envelope) {
        if (dnstap != null && !dnstap.getIdentity().isEmpty()) {
            out.value(identity.of(dnstap.getIdentity()));
        } else if (envelope.getTransport() == Transport.UNIX || envelope.getPeerAddress().isEmpty()) {
            out.value(collector.of(envelope.getCollectorIdBytes()));
        } else {
            out.string(envelope.getPeerAddress());
        }
    }

    private void writeDnstap(Dnstap dnstap, Message message, RuntimeException decodeFailure) {
        if (message == null) {
            out.field(HecFields.DNSTAP_TYPE);
            out.string(dnstap.getType().name());
            return;
        }
        Message.Type type = message.getType();
        out.field(HecFields.DNSTAP_TYPE);
        out.value(DNSTAP_TYPES.get(type));
        out.field(HecFields.MESSAGE_TYPE);
        out.value(isQuery(type) ? QUERY : RESPONSE);
        if (dnstap.hasIdentity()) {
            out.field(HecFields.IDENTITY);
            out.value(identity.of(dnstap.getIdentity()));
        }
        if (dnstap.hasVersion()) {
            out.field(HecFields.VERSION);
            out.value(version.of(dnstap.getVersion()));
        }
        if (dnstap.hasExtra()) {
            out.field(HecFields.EXTRA);
            out.string(dnstap.getExtra().toStringUtf8());
        }
        if (message.hasSocketFamily()) {
            out.field(HecFields.SOCKET_FAMILY);
            out.value(FAMILIES.get(message.getSocketFamily()));
        }
        if (message.hasSocketProtocol()) {
            out.field(HecFields.TRANSPORT);
            out.value(TRANSPORTS.get(message.getSocketProtocol()));
        }
        if (message.hasHttpProtocol()) {
            out.field(HecFields.HTTP_PROTOCOL);
            out.value(HTTP_PROTOCOLS.get(message.getHttpProtocol()));
        }
        writeAddress(HecFields.SRC, message.hasQueryAddress(), message.getQueryAddress());
        if (message.hasQueryPort()) {
            out.field(HecFields.SRC_PORT);
            out.number(message.getQueryPort());
        }
        writeAddress(HecFields.DEST, message.hasResponseAddress(), message.getResponseAddress());
        if (message.hasResponsePort()) {
            out.field(HecFields.DEST_PORT);
            out.number(message.getResponsePort());
        }
        writeTimes(message);
        if (message.hasQueryZone()) {
            writeZone(message.getQueryZone());
        }
        if (message.hasPolicy()) {
            writePolicy(message.getPolicy());
        }
        writeDnsMessage(message, decodeFailure);
    }


    private void writeTimes(Message message) {
        if (message.hasQueryTimeSec()) {
            out.field(HecFields.QUERY_TIMESTAMP);
            out.number(digits, 0,
                    EpochTime.write(message.getQueryTimeSec(), Integer.toUnsignedLong(message.getQueryTimeNsec()), digits));
        }
        if (message.hasResponseTimeSec()) {
            out.field(HecFields.RESPONSE_TIMESTAMP);
            out.number(digits, 0, EpochTime.write(message.getResponseTimeSec(),
                    Integer.toUnsignedLong(message.getResponseTimeNsec()), digits));
        }
        if (message.hasQueryTimeSec() && message.hasResponseTimeSec()) {
            long nanos = (message.getResponseTimeSec() - message.getQueryTimeSec()) * 1_000_000_000L
                    + Integer.toUnsignedLong(message.getResponseTimeNsec()) - Integer.toUnsignedLong(message.getQueryTimeNsec());
            if (nanos >= 0) {
                out.field(HecFields.DURATION);
                out.number(digits, 0, EpochTime.write(nanos, digits));
            }
        }
    }

    /** The query's or the response's DNS message, whichever the type calls for (or the one there is). */
    private void writeDnsMessage(Message message, RuntimeException decodeFailure) {
        boolean response = !isQuery(message.getType());
        ByteString wire = response
                ? (message.hasResponseMessage() ? message.getResponseMessage() : message.getQueryMessage())
                : (message.hasQueryMessage() ? message.getQueryMessage() : message.getResponseMessage());
        if (wire.isEmpty()) {
            return;
        }
        if (decodeFailure == null && wireMessage.read(wire)) {
            dnsMessage.write(wireMessage, wire.size(), response, out);
            return;
        }
        DnsMessageView decoded = null;
        Exception failure = decodeFailure;
        if (failure == null) {
            try {
                // A view of the frame's bytes: dnsjava reads it in place, no copy.
                decoded = new DnsjavaMessage(new org.xbill.DNS.Message(wire.asReadOnlyByteBuffer()));
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
        }
        if (failure != null) {
            out.field(HecFields.MESSAGE_SIZE);
            out.number(wire.size());
            out.field(HecFields.PARSE_ERROR);
            out.string("DNS message: " + describe(failure));
            out.field(HecFields.RAW_MESSAGE);
            out.string(Base64.getEncoder().encodeToString(wire.toByteArray()));
            return;
        }
        dnsMessage.write(decoded, wire.size(), response, out);
    }

    private void writeUndecodableFrame(DnstapEvent envelope) {
        out.field(HecFields.PARSE_ERROR);
        out.string("dnstap frame is not a dnstap.Dnstap protobuf message");
        out.field(HecFields.RAW_FRAME);
        out.string(Base64.getEncoder().encodeToString(envelope.getFrame().toByteArray()));
    }

    private void writeEnvelope(DnstapEvent envelope) {
        out.field(HecFields.COLLECTOR);
        out.value(collector.of(envelope.getCollectorIdBytes()));
        out.field(HecFields.COLLECTOR_PEER);
        out.value(peer(envelope));
        out.field(HecFields.CONNECTION_ID);
        out.number(envelope.getConnectionId());
        out.field(HecFields.RECEIVED_AT);
        out.string(time, 0, receivedAt.write(envelope.getReceivedAtNs(), time));
    }

    /** The collector's peer, e.g. {@code tcp [2001:db8::9]:5353}; the same for every event of a connection. */
    private byte[] peer(DnstapEvent envelope) {
        if (lastPeerOf == null || lastPeerOf.getConnectionId() != envelope.getConnectionId()
                || lastPeerOf.getTransport() != envelope.getTransport()
                || !lastPeerOf.getPeerAddressBytes().equals(envelope.getPeerAddressBytes())
                || lastPeerOf.getPeerPort() != envelope.getPeerPort()) {
            String transport = envelope.getTransport().name().toLowerCase(Locale.ROOT);
            String address = envelope.getPeerAddress();
            lastPeer = JsonWriter.quoted(envelope.getTransport() == Transport.UNIX ? transport + " " + address
                    : transport + " " + (address.contains(":") ? "[" + address + "]" : address) + ":" + envelope.getPeerPort());
            lastPeerOf = envelope;
        }
        return lastPeer;
    }

    private void writeZone(ByteString zone) {
        try {
            String presented = DnsNames.present(zone.toByteArray());
            out.field(HecFields.QUERY_ZONE);
            out.string(presented);
        } catch (IOException | RuntimeException e) {
            out.field(HecFields.QUERY_ZONE_RAW);
            out.string(Base64.getEncoder().encodeToString(zone.toByteArray()));
        }
    }

    private void writePolicy(Policy policy) {
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
            out.string(rule);
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
            out.string(isAddress ? address : value.toStringUtf8());
        }
        out.endObject();
    }

    private void writeAddress(byte[] field, boolean present, ByteString bytes) {
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

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static <E extends Enum<E>> Map<E, byte[]> encodedNames(Class<E> type) {
        Map<E, byte[]> names = new EnumMap<>(type);
        for (E value : type.getEnumConstants()) {
            names.put(value, JsonWriter.quoted(value.name()));
        }
        return names;
    }

    /** The JSON encoding of the last byte string seen (an identity, a version): reused while it repeats. */
    private static final class LastText {
        private ByteString bytes;
        private byte[] encoded;

        byte[] of(ByteString value) {
            if (!value.equals(bytes)) {
                bytes = value;
                encoded = JsonWriter.quoted(new String(value.toByteArray(), StandardCharsets.UTF_8));
            }
            return encoded;
        }
    }
}
