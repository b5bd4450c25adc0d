package io.dnstapforwarder.shipper.render;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one {@link DnstapEvent} into one Splunk HEC event (a JSON object for
 * {@code /services/collector/event}): the HEC envelope ({@code time}, {@code host}, source,
 * sourcetype, index) and the collector's envelope are written here; the dnstap message's fields
 * by {@link DnstapFieldsWriter}, its DNS message by {@link DnsMessageFields}.
 *
 * <p>Nothing the DNS server sent is dropped: a DNS message that does not decode still becomes an
 * event, with {@code parse_error} and the message in base64; so does a frame that is not dnstap.
 *
 * <p>This runs for every event, so what repeats is encoded once: field names, enum values, and
 * the last identity, version, collector and peer seen (a stream carries the same ones for
 * millions of events). One instance per thread: it keeps those caches and its output buffer.
 */
public final class HecEventRenderer {

    /** Where events go in Splunk (by DNS server: {@link HecRouting}), and what they carry. */
    public record Settings(HecRouting routing, EventProfile profile, ClientPrivacy privacy, Enrichment enrichment) {

        /** Every event to one sourcetype and {@code index} (null: the token's default). */
        public Settings(String sourcetype, String index, EventProfile profile, ClientPrivacy privacy, Enrichment enrichment) {
            this(HecRouting.fixed(sourcetype, index), profile, privacy, enrichment);
        }

        public Settings(String sourcetype, String index) {
            this(sourcetype, index, EventProfile.FULL);
        }

        public Settings(String sourcetype, String index, EventProfile profile) {
            this(sourcetype, index, profile, ClientPrivacy.NONE);
        }

        public Settings(String sourcetype, String index, EventProfile profile, ClientPrivacy privacy) {
            this(sourcetype, index, profile, privacy, Enrichment.NONE);
        }
    }

    private static final Map<TransactionKind, byte[]> TRANSACTION_KINDS = new EnumMap<>(TransactionKind.class);

    static {
        for (TransactionKind kind : TransactionKind.values()) {
            TRANSACTION_KINDS.put(kind, JsonWriter.quoted(kind.fieldValue()));
        }
    }

    private final HecRouting.Local routing;
    private final EventProfile settingsProfile;
    private final JsonWriter out = new JsonWriter(4096);
    private final char[] digits = new char[EpochTime.MAX_CHARS];
    private final char[] time = new char[ReceiptTime.MAX_CHARS];
    private final char[] eventId = new char[EventIds.LENGTH];
    private final EncodedText identity = new EncodedText();
    private final EncodedText collector = new EncodedText();
    private final EncodedText peerHost = new EncodedText();
    private final DnstapFieldsWriter dnstapFields;
    private final ClientPrivacy.Local privacy;
    private final ReceiptTime receivedAt = new ReceiptTime();
    private DnstapEvent lastPeerOf;
    private byte[] lastPeer;

    public HecEventRenderer(Settings settings) {
        this.routing = settings.routing().local();
        this.settingsProfile = settings.profile();
        this.privacy = settings.privacy().local();
        this.dnstapFields = new DnstapFieldsWriter(identity, privacy, settings.enrichment());
    }

    /** The profile of the settings: what {@link #render(DnstapEvent)} writes. */
    public EventProfile profile() {
        return settingsProfile;
    }

    /** The event as UTF-8 JSON, one object, no trailing newline, with the settings' profile. */
    public byte[] render(DnstapEvent envelope) {
        return render(envelope, settingsProfile, 1);
    }

    /**
     * The event with the fields of {@code profile}; a {@code sampleRate} above 1 (1 in N kept) is
     * written into it as {@code sample_rate}, so that searches can count it N times.
     */
    public byte[] render(DnstapEvent envelope, EventProfile profile, int sampleRate) {
        try {
            return render(envelope, profile, sampleRate, null);
        } catch (RuntimeException e) {
            // A decoder bug on some odd record: keep the event, with the DNS message raw.
            return render(envelope, profile, sampleRate, e);
        }
    }

    /**
     * The event of one DNS transaction, with a {@code transaction} field saying which
     * {@link TransactionKind} it is. An unanswered query or a response alone is its message's
     * event; a query and its response are one event: the response's, with the query's time (the
     * event's time, and the {@code duration} between them), the query's DNS message where the
     * response lacks it, and both sizes. With one half left out ({@code null}) of a pair, whose
     * other half could not be rendered, the event is that half's, and {@code transactionError} says
     * why the other is missing.
     */
    public byte[] render(TransactionKind kind, DnstapEvent query, DnstapEvent response, EventProfile profile,
            int sampleRate, String transactionError) {
        Pairing pairing = new Pairing(kind, kind == TransactionKind.PAIRED && response != null ? query : null,
                transactionError);
        DnstapEvent envelope = response != null ? response : query;
        try {
            return render(envelope, pairing, profile, sampleRate, null);
        } catch (RuntimeException e) {
            return render(envelope, pairing, profile, sampleRate, e);
        }
    }

    /** What a transaction's event adds; {@code query} is the query to merge into the response's event, if any. */
    private record Pairing(TransactionKind kind, DnstapEvent query, String error) {
    }

    private byte[] render(DnstapEvent envelope, EventProfile profile, int sampleRate, RuntimeException decodeFailure) {
        return render(envelope, null, profile, sampleRate, decodeFailure);
    }

    /** Renders the event; when {@code decodeFailure} is set, the DNS message is not decoded but kept raw. */
    private byte[] render(DnstapEvent envelope, Pairing pairing, EventProfile profile, int sampleRate,
            RuntimeException decodeFailure) {
        out.reset();
        privacy.select(envelope.getReceivedAtNs()); // the pseudonyms' key in force when the collector received it
        Dnstap dnstap = parseDnstap(envelope);
        Message message = dnstap != null && dnstap.hasMessage() ? dnstap.getMessage() : null;
        Message queryHalf = null;
        if (message != null && pairing != null && pairing.query() != null) {
            Dnstap query = parseDnstap(pairing.query());
            queryHalf = query != null && query.hasMessage() ? query.getMessage() : null;
            message = queryHalf != null ? TransactionMessages.merge(queryHalf, message) : message;
        }
        boolean paired = queryHalf != null;
        DnsTimes times = DnsTimes.of(message);
        out.startObject();
        out.field(HecFields.TIME);
        writeEventTime(message, times, envelope, paired);
        out.field(HecFields.HOST);
        byte[] host = host(dnstap, envelope);
        out.value(host);
        out.fields(routing.fields(host)); // source, sourcetype, index and indexed fields: the host's
        out.field(HecFields.EVENT);
        out.startObject();
        if (dnstap == null) {
            writeUndecodableFrame(envelope);
        } else {
            dnstapFields.write(dnstap, message, times, decodeFailure, profile, paired, out);
        }
        if (pairing != null) {
            writeTransaction(pairing, paired ? queryHalf : null, message, profile);
        }
        if (profile.envelope) {
            writeCollectorFields(envelope);
        }
        if (sampleRate > 1) {
            out.field(HecFields.SAMPLE_RATE);
            out.number(sampleRate);
        }
        EventIds.write(envelope, pairing != null ? pairing.query() : null, eventId, out);
        out.endObject();
        out.endObject();
        return out.toByteArray();
    }

    private void writeTransaction(Pairing pairing, Message queryHalf, Message merged, EventProfile profile) {
        out.field(HecFields.TRANSACTION);
        out.value(TRANSACTION_KINDS.get(pairing.kind()));
        if (pairing.error() != null) {
            out.field(HecFields.TRANSACTION_ERROR);
            out.string(pairing.error());
        }
        if (queryHalf != null && profile.headerDetails) {
            out.field(HecFields.QUERY_SIZE);
            out.number(queryHalf.hasQueryMessage() ? queryHalf.getQueryMessage().size() : merged.getQueryMessage().size());
            out.field(HecFields.RESPONSE_SIZE);
            out.number(merged.getResponseMessage().size());
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

    /**
     * The DNS event time: the query's time for queries and transactions, the response's for
     * responses, else the other, else receipt; a time that is not one ({@link DnsTimes}) is passed
     * over.
     */
    private void writeEventTime(Message message, DnsTimes times, DnstapEvent envelope, boolean paired) {
        int length;
        if (times.query() && (paired || DnstapFieldsWriter.isQuery(message.getType()) || !times.response())) {
            length = EpochTime.write(message.getQueryTimeSec(), Integer.toUnsignedLong(message.getQueryTimeNsec()), digits);
        } else if (times.response()) {
            length = EpochTime.write(message.getResponseTimeSec(), Integer.toUnsignedLong(message.getResponseTimeNsec()),
                    digits);
        } else {
            length = EpochTime.write(envelope.getReceivedAtNs(), digits);
        }
        out.number(digits, 0, length);
    }

    /** The {@code host} as JSON text: the DNS server's identity, else the collector or the sender's address. */
    private byte[] host(Dnstap dnstap, DnstapEvent envelope) {
        if (dnstap != null && !dnstap.getIdentity().isEmpty()) {
            return identity.of(dnstap.getIdentity());
        } else if (envelope.getTransport() == Transport.UNIX || envelope.getPeerAddress().isEmpty()) {
            return collector.of(envelope.getCollectorIdBytes());
        }
        return peerHost.of(envelope.getPeerAddressBytes());
    }

    private void writeUndecodableFrame(DnstapEvent envelope) {
        out.field(HecFields.PARSE_ERROR);
        out.string("dnstap frame is not a dnstap.Dnstap protobuf message");
        if (!privacy.hidesAddresses()) { // its bytes may hold client addresses
            out.field(HecFields.RAW_FRAME);
            out.string(Base64.getEncoder().encodeToString(envelope.getFrame().toByteArray()));
        }
    }

    private void writeCollectorFields(DnstapEvent envelope) {
        out.field(HecFields.COLLECTOR);
        out.value(collector.of(envelope.getCollectorIdBytes()));
        out.field(HecFields.COLLECTOR_PEER);
        out.value(peer(envelope));
        if (!envelope.getPeerCertificate().isEmpty()) {
            out.field(HecFields.COLLECTOR_PEER_CERTIFICATE);
            out.string(envelope.getPeerCertificate());
        }
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
}
