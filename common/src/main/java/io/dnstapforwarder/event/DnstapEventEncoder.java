package io.dnstapforwarder.event;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Serializes {@link DnstapEvent}s for one connection with one allocation and one copy of the frame
 * per event, because this runs for every frame a collector reads.
 *
 * <p>Everything constant for a connection is encoded once, up front; each event then only adds the
 * frame and the receive time. The output parses as an ordinary {@code DnstapEvent} (protobuf
 * readers accept fields in any order).
 */
public final class DnstapEventEncoder {

    private static final int RECEIVED_AT_TAG_SIZE = CodedOutputStream.computeTagSize(
            DnstapEvent.RECEIVED_AT_NS_FIELD_NUMBER);
    private static final int FRAME_TAG_SIZE = CodedOutputStream.computeTagSize(DnstapEvent.FRAME_FIELD_NUMBER);

    private final byte[] connectionFields;

    /** @param connection the per-connection fields; its frame and receive time are ignored */
    public DnstapEventEncoder(DnstapEvent connection) {
        this.connectionFields = connection.toBuilder().clearFrame().clearReceivedAtNs().build().toByteArray();
    }

    /** The event for the frame between the buffer's position and limit; the buffer is not moved. */
    public byte[] encode(ByteBuffer frame, long receivedAtNs) {
        int frameBytes = frame.remaining();
        byte[] out = new byte[connectionFields.length
                + FRAME_TAG_SIZE + CodedOutputStream.computeUInt32SizeNoTag(frameBytes) + frameBytes
                + RECEIVED_AT_TAG_SIZE + Long.BYTES];
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        try {
            coded.writeRawBytes(connectionFields);
            coded.writeTag(DnstapEvent.FRAME_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            coded.writeUInt32NoTag(frameBytes);
            writeRemaining(coded, frame);
            coded.writeFixed64(DnstapEvent.RECEIVED_AT_NS_FIELD_NUMBER, receivedAtNs);
            coded.checkNoSpaceLeft();
        } catch (IOException e) {
            // Only possible if the size computed above were wrong.
            throw new UncheckedIOException(e);
        }
        return out;
    }

    // CodedOutputStream.writeRawBytes(ByteBuffer) writes a heap buffer's whole backing array,
    // ignoring its position and limit, so the frame's bytes are handed over explicitly.
    private static void writeRemaining(CodedOutputStream coded, ByteBuffer frame) throws IOException {
        if (frame.hasArray()) {
            coded.writeRawBytes(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        } else {
            byte[] copy = new byte[frame.remaining()];
            frame.duplicate().get(copy);
            coded.writeRawBytes(copy);
        }
    }
}
