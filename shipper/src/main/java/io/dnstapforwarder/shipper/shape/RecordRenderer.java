package io.dnstapforwarder.shipper.shape;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.shipper.render.HecEventRenderer;

/** Makes the HEC event of a Kafka record's value, or of a DNS transaction's. One per worker thread: renderers keep buffers. */
public interface RecordRenderer {

    /**
     * The event, or {@code null} when shaping drops the record (it counts why).
     *
     * @throws InvalidProtocolBufferException the value is not a dnstap event: it is dead-lettered
     */
    byte[] render(byte[] recordValue) throws InvalidProtocolBufferException;

    /**
     * The event of a transaction's halves (either may be null: the one that did not come, or that
     * failed to render, which {@code transactionError} then explains); {@code null} when shaping
     * drops it.
     *
     * @throws InvalidProtocolBufferException a half is not a dnstap event
     */
    byte[] render(TransactionKind kind, byte[] query, byte[] response, String transactionError)
            throws InvalidProtocolBufferException;

    /** Every record and transaction rendered by {@code renderer} with its profile, none dropped. */
    static RecordRenderer of(HecEventRenderer renderer) {
        return new RecordRenderer() {
            @Override
            public byte[] render(byte[] recordValue) throws InvalidProtocolBufferException {
                return renderer.render(DnstapEvents.parse(recordValue));
            }

            @Override
            public byte[] render(TransactionKind kind, byte[] query, byte[] response, String transactionError)
                    throws InvalidProtocolBufferException {
                return renderer.render(kind, parse(query), parse(response), renderer.profile(), 1, transactionError);
            }
        };
    }

    /** The envelope of a half, or null for none. */
    static DnstapEvent parse(byte[] half) throws InvalidProtocolBufferException {
        return half == null ? null : DnstapEvents.parse(half);
    }
}
