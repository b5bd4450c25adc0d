package io.dnstapforwarder.shipper.render;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.dnstap.Policy;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.net.IpAddresses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Turns one {@link DnstapEvent} into one Splunk HEC event (a JSON object for
 * {@code /services/collector/event}).
 *
 * <p>Nothing the DNS server sent is dropped: a DNS message that does not decode still becomes an
 * event, with {@code parse_error} and the message in base64; so does a frame that is not dnstap.
 * One instance per thread (it reuses its output buffer).
 */
public final class HecEventRenderer {

    /** Where events go in Splunk. {@code index} may be null: HEC then uses the token's default. */
    public record Settings(String sourcetype, String index) {
    }

    private static final String SOURCE = "dnstap";
    private static final JsonFactory JSON = new JsonFactory();

    private final Settings settings;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(2048);

    public HecEventRenderer(Settings settings) {
        this.settings = settings;
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
        buffer.reset();
        try (JsonGenerator out = JSON.createGenerator(buffer)) {
            Dnstap dnstap = parseDnstap(envelope);
            Message message = dnstap != null && dnstap.hasMessage() ? dnstap.getMessage() : null;
            out.writeStartObject();
            out.writeFieldName("time");
            out.writeNumber(eventTime(message, envelope));
            out.writeStringField("host", host(dnstap, envelope));
            out.writeStringField("source", SOURCE);
            out.writeStringField("sourcetype", settings.sourcetype());
            if (settings.index() != null) {
                out.writeStringField("index", settings.index());
            }
            out.writeObjectFieldStart("event");
            if (dnstap == null) {
                writeUndecodableFrame(envelope, out);
            } else {
                writeDnstap(dnstap, message, decodeFailure, out);
            }
            writeEnvelope(envelope, out);
            out.writeEndObject();
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return buffer.toByteArray();
    }

    private static Dnstap parseDnstap(DnstapEvent envelope) {
        try {
            return Dnstap.parseFrom(envelope.getFrame());
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /** The DNS event time: the query's time for queries, the response's for responses, else the other, else receipt. */
    private static String eventTime(Message message, DnstapEvent envelope) {
        if (message != null) {
            boolean query = isQuery(message.getType());
            boolean hasQueryTime = message.hasQueryTimeSec();
            boolean hasResponseTime = message.hasResponseTimeSec();
            if (hasQueryTime && (query || !hasResponseTime)) {
                return EpochTime.seconds(message.getQueryTimeSec(), Integer.toUnsignedLong(message.getQueryTimeNsec()));
            }
            if (hasResponseTime) {
                return EpochTime.seconds(message.getResponseTimeSec(), Integer.toUnsignedLong(message.getResponseTimeNsec()));
            }
        }
        return EpochTime.seconds(envelope.getReceivedAtNs());
    }

    /** The DNS server's identity; else the collector's peer address; for Unix sockets the collector's host. */
    private static String host(Dnstap dnstap, DnstapEvent envelope) {
        if (dnstap != null && !dnstap.getIdentity().isEmpty()) {
            return utf8(dnstap.getIdentity());
        }
        if (envelope.getTransport() == Transport.UNIX || envelope.getPeerAddress().isEmpty()) {
            return envelope.getCollectorId();
        }
        return envelope.getPeerAddress();
    }

    private static void writeDnstap(Dnstap dnstap, Message message, RuntimeException decodeFailure, JsonGenerator out)
            throws IOException {
        if (message == null) {
            out.writeStringField("dnstap_type", dnstap.getType().name());
            return;
        }
        Message.Type type = message.getType();
        out.writeStringField("dnstap_type", type.name());
        out.writeStringField("message_type", isQuery(type) ? "Query" : "Response");
        writeBytesAsText(out, "identity", dnstap.hasIdentity(), dnstap.getIdentity());
        writeBytesAsText(out, "version", dnstap.hasVersion(), dnstap.getVersion());
        writeBytesAsText(out, "extra", dnstap.hasExtra(), dnstap.getExtra());
        if (message.hasSocketFamily()) {
            out.writeStringField("socket_family", message.getSocketFamily().name());
        }
        if (message.hasSocketProtocol()) {
            out.writeStringField("transport", transport(message.getSocketProtocol()));
        }
        if (message.hasHttpProtocol()) {
            out.writeStringField("http_protocol", message.getHttpProtocol().name());
        }
        writeAddress(out, "src", message.hasQueryAddress(), message.getQueryAddress());
        if (message.hasQueryPort()) {
            out.writeNumberField("src_port", message.getQueryPort());
        }
        writeAddress(out, "dest", message.hasResponseAddress(), message.getResponseAddress());
        if (message.hasResponsePort()) {
            out.writeNumberField("dest_port", message.getResponsePort());
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

    private static void writeTimes(Message message, JsonGenerator out) throws IOException {
        if (message.hasQueryTimeSec()) {
            out.writeFieldName("query_timestamp");
            out.writeNumber(EpochTime.seconds(message.getQueryTimeSec(), Integer.toUnsignedLong(message.getQueryTimeNsec())));
        }
        if (message.hasResponseTimeSec()) {
            out.writeFieldName("response_timestamp");
            out.writeNumber(EpochTime.seconds(message.getResponseTimeSec(),
                    Integer.toUnsignedLong(message.getResponseTimeNsec())));
        }
        if (message.hasQueryTimeSec() && message.hasResponseTimeSec()) {
            long nanos = (message.getResponseTimeSec() - message.getQueryTimeSec()) * 1_000_000_000L
                    + Integer.toUnsignedLong(message.getResponseTimeNsec()) - Integer.toUnsignedLong(message.getQueryTimeNsec());
            if (nanos >= 0) {
                out.writeFieldName("duration");
                out.writeNumber(EpochTime.seconds(nanos));
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
            out.writeNumberField("message_size", bytes.length);
            out.writeStringField("parse_error", "DNS message: " + describe(failure));
            out.writeStringField("raw_message", Base64.getEncoder().encodeToString(bytes));
            return;
        }
        DnsMessageWriter.write(decoded, bytes.length, response, out);
    }

    private static void writeUndecodableFrame(DnstapEvent envelope, JsonGenerator out) throws IOException {
        out.writeStringField("parse_error", "dnstap frame is not a dnstap.Dnstap protobuf message");
        out.writeStringField("raw_frame", Base64.getEncoder().encodeToString(envelope.getFrame().toByteArray()));
    }

    private static void writeEnvelope(DnstapEvent envelope, JsonGenerator out) throws IOException {
        out.writeStringField("collector", envelope.getCollectorId());
        out.writeStringField("collector_peer", peer(envelope));
        out.writeNumberField("connection_id", envelope.getConnectionId());
        out.writeStringField("received_at", EpochTime.rfc3339(envelope.getReceivedAtNs()));
    }

    private static String peer(DnstapEvent envelope) {
        String transport = envelope.getTransport().name().toLowerCase(Locale.ROOT);
        if (envelope.getTransport() == Transport.UNIX) {
            return transport + " " + envelope.getPeerAddress();
        }
        String address = envelope.getPeerAddress().contains(":") ? "[" + envelope.getPeerAddress() + "]" : envelope.getPeerAddress();
        return transport + " " + address + ":" + envelope.getPeerPort();
    }

    private static void writeZone(ByteString zone, JsonGenerator out) throws IOException {
        try {
            out.writeStringField("query_zone", DnsNames.present(zone.toByteArray()));
        } catch (IOException | RuntimeException e) {
            out.writeStringField("query_zone_raw", Base64.getEncoder().encodeToString(zone.toByteArray()));
        }
    }

    private static void writePolicy(Policy policy, JsonGenerator out) throws IOException {
        out.writeObjectFieldStart("policy");
        if (policy.hasType()) {
            out.writeStringField("type", policy.getType());
        }
        if (policy.hasRule()) {
            try {
                out.writeStringField("rule", DnsNames.present(policy.getRule().toByteArray()));
            } catch (IOException | RuntimeException e) {
                out.writeStringField("rule", utf8(policy.getRule()));
            }
        }
        if (policy.hasAction()) {
            out.writeStringField("action", policy.getAction().name());
        }
        if (policy.hasMatch()) {
            out.writeStringField("match", policy.getMatch().name());
        }
        if (policy.hasValue()) {
            ByteString value = policy.getValue();
            String address = IpAddresses.format(value.toByteArray());
            out.writeStringField("value", address != null
                    && (policy.getMatch() == Policy.Match.CLIENT_IP || policy.getMatch() == Policy.Match.RESPONSE_IP
                            || policy.getMatch() == Policy.Match.NS_IP) ? address : utf8(value));
        }
        out.writeEndObject();
    }

    private static void writeAddress(JsonGenerator out, String field, boolean present, ByteString bytes) throws IOException {
        if (!present) {
            return;
        }
        String address = IpAddresses.format(bytes.toByteArray());
        out.writeStringField(field, address != null ? address : Base64.getEncoder().encodeToString(bytes.toByteArray()));
    }

    private static void writeBytesAsText(JsonGenerator out, String field, boolean present, ByteString bytes) throws IOException {
        if (present) {
            out.writeStringField(field, utf8(bytes));
        }
    }

    static String transport(io.dnstapforwarder.dnstap.SocketProtocol protocol) {
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

    private static String utf8(ByteString bytes) {
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
