package io.dnstapforwarder.shipper.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.shipper.shape.RecordRenderer;
import java.util.function.Function;

/**
 * A renderer made of a function of one envelope, for tests that break rendering on purpose: a
 * transaction is rendered as its response (or its query, when it has none).
 */
public final class FunctionRenderer implements RecordRenderer {

    private final Function<DnstapEvent, byte[]> render;

    public FunctionRenderer(Function<DnstapEvent, byte[]> render) {
        this.render = render;
    }

    @Override
    public byte[] render(byte[] recordValue) throws InvalidProtocolBufferException {
        return render.apply(DnstapEvents.parse(recordValue));
    }

    @Override
    public byte[] render(TransactionKind kind, byte[] query, byte[] response, String transactionError)
            throws InvalidProtocolBufferException {
        return render(response != null ? response : query);
    }
}
