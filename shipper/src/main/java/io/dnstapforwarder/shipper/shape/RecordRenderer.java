package io.dnstapforwarder.shipper.shape;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import java.util.function.Function;

/** Makes the HEC event of a Kafka record's value. One per worker thread: renderers keep buffers. */
@FunctionalInterface
public interface RecordRenderer {

    /**
     * The event, or {@code null} when shaping drops the record (it counts why).
     *
     * @throws InvalidProtocolBufferException the value is not a dnstap event: it is dead-lettered
     */
    byte[] render(byte[] recordValue) throws InvalidProtocolBufferException;

    /** Every record, parsed and rendered by {@code renderer}. */
    static RecordRenderer of(Function<DnstapEvent, byte[]> renderer) {
        return value -> renderer.apply(DnstapEvents.parse(value));
    }
}
