package io.dnstapforwarder.fstrm;

import static io.dnstapforwarder.fstrm.FrameDecoder.FIELD_CONTENT_TYPE;
import static io.dnstapforwarder.fstrm.FrameDecoder.LENGTH_BYTES;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Writes frames in the layout {@link FrameDecoder} reads. */
public final class FrameEncoder {

    private FrameEncoder() {
    }

    /** The encoded size of a control frame, escape word and length included. */
    public static int encodedSize(ControlFrame frame) {
        int size = 3 * LENGTH_BYTES;
        for (String contentType : frame.contentTypes()) {
            size += 2 * LENGTH_BYTES + contentType.getBytes(StandardCharsets.UTF_8).length;
        }
        return size;
    }

    public static byte[] encode(ControlFrame frame) {
        ByteBuffer out = ByteBuffer.allocate(encodedSize(frame));
        write(frame, out);
        return out.array();
    }

    public static void write(ControlFrame frame, ByteBuffer out) {
        int size = encodedSize(frame);
        if (size > FrameDecoder.MAX_CONTROL_FRAME_BYTES + 2 * LENGTH_BYTES) {
            throw new IllegalArgumentException("control frame of " + size + " bytes is over the Frame Streams limit");
        }
        out.putInt(0);
        out.putInt(size - 2 * LENGTH_BYTES);
        out.putInt(frame.type().wireValue());
        for (String contentType : frame.contentTypes()) {
            byte[] bytes = contentType.getBytes(StandardCharsets.UTF_8);
            out.putInt(FIELD_CONTENT_TYPE);
            out.putInt(bytes.length);
            out.put(bytes);
        }
    }

    /** Writes a data frame: its length, then the bytes between the payload's position and limit. */
    public static void writeData(ByteBuffer payload, ByteBuffer out) {
        if (!payload.hasRemaining()) {
            throw new IllegalArgumentException("a data frame cannot be empty: length 0 escapes a control frame");
        }
        out.putInt(payload.remaining());
        out.put(payload);
    }
}
