package io.dnstapforwarder.shipper.render;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    private static final JsonFactory JSON = new JsonFactory();
    private static final SerializableString SOURCE = HecFields.name("dnstap");
    private static final SerializableString QUERY = HecFields.name("Query");
    private static final SerializableString RESPONSE = HecFields.name("Response");
    private static final Map<Message.Type, SerializableString> DNSTAP_TYPES = encodedNames(Message.Type.class);
    private static final Map<SocketFamily, SerializableString> FAMILIES = encodedNames(SocketFamily.class);
    private static final Map<HttpProtocol, SerializableString> HTTP_PROTOCOLS = encodedNames(HttpProtocol.class);
    private static final Map<SocketProtocol, SerializableString> TRANSPORTS = new EnumMap<>(SocketProtocol.class);

    static {
        for (SocketProtocol protocol : SocketProtocol.values()) {
            TRANSPORTS.put(protocol, HecFields.name(transport(protocol)));
        }
    }

    private final SerializableString sourcetype;
    private final SerializableString index;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(2048);
    private final JsonGenerator out;
    private final char[] digits = new char[EpochTime.MAX_CHARS];
    private final char[] address = new char[IpAddresses.MAX_IPV4_CHARS];
    private final LastText identity = new LastText();
    private final LastText version = new LastText();
    private final LastText collector = new LastText();
    private final ReceiptTime receivedAt = new ReceiptTime();
    private DnstapEvent lastPeerOf;
    private SerializableString lastPeer;

    public HecEventRenderer(Settings settings) {
        this.sourcetype = HecFields.name(settings.sourcetype());
        this.index = settings.index() == null ? null : HecFields.name(settings.index());
        try {
            // One generator for the renderer's life: events are root values, flushed one by one.
            this.out = JSON.createGenerator(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.setRootValueSeparator(null);
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
        try {
            out.flush();
            buffer.reset();
            if (out.getOutputContext().inObject() || out.getOutputContext().inArray()) {
                throw new IllegalStateException("the JSON writer is inside an unfinished event");
            }
            Dnstap dnstap = parseDnstap(envelope);
            Message message = dnstap != null && dnstap.hasMessage() ? dnstap.getMessage() : null;
            out.writeStartObject();
            out.writeFieldName(HecFields.TIME);
            writeEventTime(message, envelope);
            out.writeFieldName(HecFields.HOST);
            writeHost(dnstap, envelope, out);
            out.writeFieldName(HecFields.SOURCE);
            out.writeString(SOURCE);
            out.writeFieldName(HecFields.SOURCETYPE);
            out.writeString(sourcetype);
            if (index != null) {
                out.writeFieldName(HecFields.INDEX);
                out.writeString(index);
            }
            out.writeFieldName(HecFields.EVENT);
            out.writeStartObject();
            if (dnstap == null) {
                writeUndecodableFrame(envelope, out);
            } else {
                writeDnstap(dnstap, message, decodeFailure, out);
            }
            writeEnvelope(envelope, out);
            out.writeEndObject();
            out.writeEndObject();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        } catch (RuntimeException e) {
            restartWriter();
            throw e;
        }
        return buffer.toByteArray();
    }

    /** After a failure half way through an event, the writer's state is unknown: close the event's scopes. */
    private void restartWriter() {
        try {
            while (out.getOutputContext().inObject() || out.getOutputContext().inArray()) {
                if (out.getOutputContext().inObject()) {
                    out.writeEndObject();
                } else {
                    out.writeEndArray();
                }
            }
            out.flush();
            buffer.reset();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
    private void writeEventTime(Message message, DnstapEvent envelope) throws IOException {
        int length;
        if (message != null && message.hasQueryTimeSec() && (isQuery(message.getType()) || !message.hasResponseTimeSec())) {
            length = EpochTime.write(message.getQueryTimeSec(), Integer.toUnsignedLong(message.getQueryTimeNsec()), digits);
        } else if (message != null && message.hasResponseTimeSec()) {
            length = EpochTime.write(message.getResponseTimeSec(), Integer.toUnsignedLong(message.getResponseTimeNsec()),
                    digits);
        } else {
            length = EpochTime.write(envelope.getReceivedAtNs(), digits);
        }
        out.writeNumber(digits, 0, length);
    }

    /** The DNS server's identity; else the collector's peer address; for Unix sockets the collector's host. */
    private void writeHost(Dnstap dnstap, DnstapEvent envelope, JsonGenerator out) throws IOException {
        if (dnstap != null && !dnstap.getIdentity().isEmpty()) {
            out.writeString(identity.of(dnstap.getIdentity()));
        } else if (envelope.getTransport() == Transport.UNIX || envelope.getPeerAddress().isEmpty()) {
            out.writeString(collector.of(envelope.getCollectorIdBytes()));
        } else {
            out.writeString(envelope.getPeerAddress());
        }
    }

    private void writeDnstap(Dnstap dnstap, Message message, RuntimeException decodeFailure, JsonGenerator out)
            throws IOException {
        if (message == null) {
            out.writeFieldName(HecFields.DNSTAP_TYPE);
            out.writeString(dnstap.getType().name());
            return;
        }
        Message.Type type = message.getType();
        out.writeFieldName(HecFields.DNSTAP_TYPE);
        out.writeString(DNSTAP_TYPES.get(type));
        out.writeFieldName(HecFields.MESSAGE_TYPE);
        out.writeString(isQuery(type) ? QUERY : RESPONSE);
        if (dnstap.hasIdentity()) {
            out.writeFieldName(HecFields.IDENTITY);
            out.writeString(identity.of(dnstap.getIdentity()));
        }
        if (dnstap.hasVersion()) {
            out.writeFieldName(HecFields.VERSION);
            out.writeString(version.of(dnstap.getVersion()));
        }
        if (dnstap.hasExtra()) {
            out.writeFieldName(HecFields.EXTRA);
            out.writeString(dnstap.getExtra().toStringUtf8());
        }
        if (message.hasSocketFamily()) {
            out.writeFieldName(HecFields.SOCKET_FAMILY);
            out.writeString(FAMILIES.get(message.getSocketFamily()));
        }
        if (message.hasSocketProtocol()) {
            out.writeFieldName(HecFields.TRANSPORT);
            out.writeString(TRANSPORTS.get(message.getSocketProtocol()));
        }
        if (message.hasHttpProtocol()) {
            out.writeFieldName(HecFields.HTTP_PROTOCOL);
            out.writeString(HTTP_PROTOCOLS.get(message.getHttpProtocol()));
        }
        writeAddress(out, HecFields.SRC, message.hasQueryAddress(), message.getQueryAddress());
        if (message.hasQueryPort()) {
            out.writeFieldName(HecFields.SRC_PORT);
            out.writeNumber(message.getQueryPort());
        }
        writeAddress(out, HecFields.DEST, message.hasResponseAddress(), message.getResponseAddress());
        if (message.hasResponsePort()) {
            out.writeFieldName(HecFields.DEST_PORT);
            out.writeNumber(message.getResponsePort());
        }
        writeTimes(message, out);
        if (message.hasQueryZone()) {
            writeZone(message.getQueryZone(), out);
        }
        if (message.hasPolicy()) {
            writePolicy(message.getPolicy(), out);
        }
        writeDnsMessage(message, decodeFailure, out);
    }


    private void writeTimes(Message message, JsonGenerator out) throws IOException {
        if (message.hasQueryTimeSec()) {
            out.writeFieldName(HecFields.QUERY_TIMESTAMP);
            out.writeNumber(digits, 0,
                    EpochTime.write(message.getQueryTimeSec(), Integer.toUnsignedLong(message.getQueryTimeNsec()), digits));
        }
        if (message.hasResponseTimeSec()) {
            out.writeFieldName(HecFields.RESPONSE_TIMESTAMP);
            out.writeNumber(digits, 0, EpochTime.write(message.getResponseTimeSec(),
                    Integer.toUnsignedLong(message.getResponseTimeNsec()), digits));
        }
        if (message.hasQueryTimeSec() && message.hasResponseTimeSec()) {
            long nanos = (message.getResponseTimeSec() - message.getQueryTimeSec()) * 1_000_000_000L
                    + Integer.toUnsignedLong(message.getResponseTimeNsec()) - Integer.toUnsignedLong(message.getQueryTimeNsec());
            if (nanos >= 0) {
                out.writeFieldName(HecFields.DURATION);
                out.writeNumber(digits, 0, EpochTime.write(nanos, digits));
            }
        }
    }

    /** The query's or the response's DNS message, whichever the type calls for (or the one there is). */
    private static void writeDnsMessage(Message message, RuntimeException decodeFailure, JsonGenerator out)
            throws IOException {
        boolean response = !isQuery(message.getType());
        ByteString wire = response
                ? (message.hasResponseMessage() ? message.getResponseMessage() : message.getQueryMessage())
                : (message.hasQueryMessage() ? message.getQueryMessage() : message.getResponseMessage());
        if (wire.isEmpty()) {
            return;
        }
        byte[] bytes = wire.toByteArray();
        org.xbill.DNS.Message decoded = null;
        Exception failure = decodeFailure;
        if (failure == null) {
            try {
                decoded = new org.xbill.DNS.Message(bytes);
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
        }
        if (failure != null) {
            out.writeFieldName(HecFields.MESSAGE_SIZE);
            out.writeNumber(bytes.length);
            out.writeFieldName(HecFields.PARSE_ERROR);
            out.writeString("DNS message: " + describe(failure));
            out.writeFieldName(HecFields.RAW_MESSAGE);
            out.writeString(Base64.getEncoder().encodeToString(bytes));
            return;
        }
        DnsMessageWriter.write(decoded, bytes.length, response, out);
    }

    private static void writeUndecodableFrame(DnstapEvent envelope, JsonGenerator out) throws IOException {
        out.writeFieldName(HecFields.PARSE_ERROR);
        out.writeString("dnstap frame is not a dnstap.Dnstap protobuf message");
        out.writeFieldName(HecFields.RAW_FRAME);
        out.writeString(Base64.getEncoder().encodeToString(envelope.getFrame().toByteArray()));
    }

    private void writeEnvelope(DnstapEvent envelope, JsonGenerator out) throws IOException {
        out.writeFieldName(HecFields.COLLECTOR);
        out.writeString(collector.of(envelope.getCollectorIdBytes()));
        out.writeFieldName(HecFields.COLLECTOR_PEER);
        out.writeString(peer(envelope));
        out.writeFieldName(HecFields.CONNECTION_ID);
        out.writeNumber(envelope.getConnectionId());
        out.writeFieldName(HecFields.RECEIVED_AT);
        out.writeString(receivedAt.format(envelope.getReceivedAtNs()));
    }

    /** The collector's peer, e.g. {@code tcp [2001:db8::9]:5353}; the same for every event of a connection. */
    private SerializableString peer(DnstapEvent envelope) {
        if (lastPeerOf == null || lastPeerOf.getConnectionId() != envelope.getConnectionId()
                || lastPeerOf.getTransport() != envelope.getTransport()
                || !lastPeerOf.getPeerAddress().equals(envelope.getPeerAddress())
                || lastPeerOf.getPeerPort() != envelope.getPeerPort()) {
            String transport = envelope.getTransport().name().toLowerCase(Locale.ROOT);
            String address = envelope.getPeerAddress();
            lastPeer = HecFields.name(envelope.getTransport() == Transport.UNIX ? transport + " " + address
                    : transport + " " + (address.contains(":") ? "[" + address + "]" : address) + ":" + envelope.getPeerPort());
            lastPeerOf = envelope;
        }
        return lastPeer;
    }

    private static void writeZone(ByteString zone, JsonGenerator out) throws IOException {
        try {
            String presented = DnsNames.present(zone.toByteArray());
            out.writeFieldName(HecFields.QUERY_ZONE);
            out.writeString(presented);
        } catch (IOException | RuntimeException e) {
            out.writeFieldName(HecFields.QUERY_ZONE_RAW);
            out.writeString(Base64.getEncoder().encodeToString(zone.toByteArray()));
        }
    }

    private static void writePolicy(Policy policy, JsonGenerator out) throws IOException {
        out.writeFieldName(HecFields.POLICY);
        out.writeStartObject();
        if (policy.hasType()) {
            out.writeFieldName(HecFields.TYPE);
            out.writeString(policy.getType());
        }
        if (policy.hasRule()) {
            String rule;
            try {
                rule = DnsNames.present(policy.getRule().toByteArray());
            } catch (IOException | RuntimeException e) {
                rule = policy.getRule().toStringUtf8();
            }
            out.writeFieldName(HecFields.RULE);
            out.writeString(rule);
        }
        if (policy.hasAction()) {
            out.writeFieldName(HecFields.ACTION);
            out.writeString(policy.getAction().name());
        }
        if (policy.hasMatch()) {
            out.writeFieldName(HecFields.MATCH);
            out.writeString(policy.getMatch().name());
        }
        if (policy.hasValue()) {
            ByteString value = policy.getValue();
            String address = IpAddresses.format(value.toByteArray());
            boolean isAddress = address != null && (policy.getMatch() == Policy.Match.CLIENT_IP
                    || policy.getMatch() == Policy.Match.RESPONSE_IP || policy.getMatch() == Policy.Match.NS_IP);
            out.writeFieldName(HecFields.VALUE);
            out.writeString(isAddress ? address : value.toStringUtf8());
        }
        out.writeEndObject();
    }

    private void writeAddress(JsonGenerator out, SerializableString field, boolean present, ByteString bytes)
            throws IOException {
        if (!present) {
            return;
        }
        out.writeFieldName(field);
        if (bytes.size() == 4) {
            out.writeString(address, 0, IpAddresses.writeIpv4(bytes.byteAt(0), bytes.byteAt(1), bytes.byteAt(2),
                    bytes.byteAt(3), address));
            return;
        }
        byte[] raw = bytes.toByteArray();
        String text = IpAddresses.format(raw);
        out.writeString(text != null ? text : Base64.getEncoder().encodeToString(raw));
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

    private static <E extends Enum<E>> Map<E, SerializableString> encodedNames(Class<E> type) {
        Map<E, SerializableString> names = new EnumMap<>(type);
        for (E value : type.getEnumConstants()) {
            names.put(value, HecFields.name(value.name()));
        }
        return names;
    }

    /** The JSON encoding of the last byte string seen (an identity, a version): reused while it repeats. */
    private static final class LastText {
        private ByteString bytes;
        private SerializableString encoded;

        SerializableString of(ByteString value) {
            if (!value.equals(bytes)) {
                bytes = value;
                encoded = HecFields.name(new String(value.toByteArray(), StandardCharsets.UTF_8));
            }
            return encoded;
        }
    }
}
