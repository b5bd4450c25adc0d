package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.shipper.enrich.Enrichment;
import com.google.protobuf.ByteString;
import io.dnstapforwarder.shipper.render.dns.DnsMessageView;
import io.dnstapforwarder.shipper.render.dns.DnsjavaMessage;
import io.dnstapforwarder.shipper.render.dns.WireMessage;
import java.io.IOException;
import java.util.Base64;

/**
 * The DNS message of a dnstap event, as event fields: read straight from the wire when
 * {@link WireMessage} covers it, else decoded by dnsjava; a message neither decodes is kept raw
 * with {@code parse_error}. One instance per renderer: it keeps the wire reader's buffers.
 */
final class DnsMessageFields {

    private final DnsMessageWriter writer;
    private final WireMessage wireMessage = new WireMessage();
    private final ClientPrivacy.Local privacy;

    DnsMessageFields(ClientPrivacy.Local privacy, Enrichment enrichment) {
        this.privacy = privacy;
        this.writer = new DnsMessageWriter(privacy, enrichment);
    }

    /**
     * Writes the fields of the DNS message {@code wire}; when {@code decodeFailure} is set (an
     * earlier attempt failed), the message is not decoded again but kept raw.
     */
    void write(ByteString wire, boolean response, RuntimeException decodeFailure, EventProfile profile, JsonWriter out) {
        if (decodeFailure == null && wireMessage.read(wire)) {
            writer.write(wireMessage, wire.size(), response, profile, out);
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
            writeRaw(wire, failure, out);
            return;
        }
        writer.write(decoded, wire.size(), response, profile, out);
    }

    private void writeRaw(ByteString wire, Exception failure, JsonWriter out) {
        out.field(HecFields.MESSAGE_SIZE);
        out.number(wire.size());
        out.field(HecFields.PARSE_ERROR);
        out.string("DNS message: " + (failure.getMessage() != null ? failure.getMessage()
                : failure.getClass().getSimpleName()));
        if (!privacy.hidesAddresses()) { // its bytes may hold a client subnet
            out.field(HecFields.RAW_MESSAGE);
            out.string(Base64.getEncoder().encodeToString(wire.toByteArray()));
        }
    }
}
