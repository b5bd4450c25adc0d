package io.dnstapforwarder.fstrm;

import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.FRAME_TOO_LARGE;
import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.MALFORMED_CONTROL_FRAME;
import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.TLS_TO_PLAIN_LISTENER;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental decoder of the Frame Streams framing layer: it finds every complete frame in a
 * buffer and leaves a partial one for the next read. It keeps no state between calls, so frames
 * split across reads and many frames in one read both just work.
 *
 * <pre>
 * data frame:     | length (u32 BE, 1..max) | payload (length bytes)                      |
 * control frame:  | 0 (u32) | length (u32 BE, 4..512) | type (u32) | field* |
 * field:          | field type (u32, 1 = CONTENT_TYPE) | length (u32, 0..256) | bytes |
 * </pre>
 *
 * <p>Limits follow libfstrm: a control frame is at most 512 bytes, a content type at most 256.
 * The data frame limit is the caller's: a frame over it is refused before any of it is buffered.
 */
public final class FrameDecoder {

    /** Largest control frame libfstrm sends or accepts. */
    public static final int MAX_CONTROL_FRAME_BYTES = 512;
    /** The first two bytes of a TLS record carrying a handshake (type 22, version 3.x), read as a frame length. */
    private static final int TLS_HANDSHAKE_RECORD = 0x1603;
    /** Largest CONTENT_TYPE field libfstrm accepts. */
    public static final int MAX_CONTENT_TYPE_BYTES = 256;
    /** The length prefix (and the escape word of a control frame). */
    public static final int LENGTH_BYTES = 4;

    static final int FIELD_CONTENT_TYPE = 1;

    private final int maxDataFrameBytes;

    /**
     * @param maxDataFrameBytes the largest data frame accepted; required, at least 1
     */
    public FrameDecoder(int maxDataFrameBytes) {
        if (maxDataFrameBytes < 1) {
            throw new IllegalArgumentException("maxDataFrameBytes must be at least 1, was " + maxDataFrameBytes);
        }
        this.maxDataFrameBytes = maxDataFrameBytes;
    }

    public int maxDataFrameBytes() {
        return maxDataFrameBytes;
    }

    /**
     * The complete data frames between the buffer's position and limit, control frames passed
     * over; the buffer is left as it is. For counting what a reader had received and could not
     * hand on (a shutdown that could not wait).
     */
    public static int completeDataFrames(ByteBuffer in) {
        int frames = 0;
        int at = in.position();
        while (in.limit() - at >= 2 * LENGTH_BYTES || in.limit() - at >= LENGTH_BYTES && in.getInt(at) != 0) {
            int length = in.getInt(at);
            boolean control = length == 0;
            int size = control ? 2 * LENGTH_BYTES + in.getInt(at + LENGTH_BYTES) : LENGTH_BYTES + length;
            if (length < 0 || size < 0 || size > in.limit() - at) {
                break; // a partial frame, or not a frame stream at all
            }
            if (!control) {
                frames++;
            }
            at += size;
        }
        return frames;
    }

    /**
     * Hands every complete frame between the buffer's position and limit to {@code visitor}. On
     * return the position stands at the first byte not yet decoded: the start of a partial frame,
     * or the limit.
     *
     * @throws FrameStreamException when the bytes are not a valid frame stream; the buffer is then
     *     left where the offending frame starts
     */
    public void decode(ByteBuffer in, FrameVisitor visitor) throws java.io.IOException {
        while (true) {
            int start = in.position();
            int available = in.limit() - start;
            if (available < LENGTH_BYTES) {
                return;
            }
            int length = in.getInt(start);
            if (length != 0) {
                checkDataFrameLength(length);
                if (available < LENGTH_BYTES + length) {
                    return;
                }
                ByteBuffer payload = in.slice(start + LENGTH_BYTES, length);
                in.position(start + LENGTH_BYTES + length);
                visitor.onDataFrame(payload);
            } else {
                if (available < 2 * LENGTH_BYTES) {
                    return;
                }
                int controlLength = in.getInt(start + LENGTH_BYTES);
                checkControlFrameLength(controlLength);
                if (available < 2 * LENGTH_BYTES + controlLength) {
                    return;
                }
                ControlFrame frame = parseControl(in, start + 2 * LENGTH_BYTES, controlLength);
                in.position(start + 2 * LENGTH_BYTES + controlLength);
                visitor.onControlFrame(frame);
            }
        }
    }

    /**
     * How many bytes the frame starting at the buffer's position needs in total, headers included,
     * or 0 when not even its header is there yet. Lets a reader size its buffer to a large frame.
     */
    public int pendingFrameBytes(ByteBuffer in) {
        int start = in.position();
        int available = in.limit() - start;
        if (available < LENGTH_BYTES) {
            return 0;
        }
        int length = in.getInt(start);
        if (length != 0) {
            return LENGTH_BYTES + length;
        }
        if (available < 2 * LENGTH_BYTES) {
            return 0;
        }
        return 2 * LENGTH_BYTES + in.getInt(start + LENGTH_BYTES);
    }

    private void checkDataFrameLength(int length) throws FrameStreamException {
        // A negative int is an unsigned length above 2 GiB: too large as well.
        if (length < 0 || length > maxDataFrameBytes) {
            if (length >>> 16 == TLS_HANDSHAKE_RECORD) {
                throw new FrameStreamException(TLS_TO_PLAIN_LISTENER, "the sender speaks TLS and this listener does not: "
                        + "give the collector --tls-cert and --tls-key, or turn TLS off at the sender "
                        + "(Unbound: dnstap-tls: no)");
            }
            throw new FrameStreamException(FRAME_TOO_LARGE, "data frame of "
                    + Integer.toUnsignedString(length) + " bytes exceeds the limit of " + maxDataFrameBytes + " bytes");
        }
    }

    private static void checkControlFrameLength(int length) throws FrameStreamException {
        if (length < LENGTH_BYTES || length > MAX_CONTROL_FRAME_BYTES) {
            throw new FrameStreamException(MALFORMED_CONTROL_FRAME, "control frame length "
                    + Integer.toUnsignedString(length) + " is outside 4.." + MAX_CONTROL_FRAME_BYTES);
        }
    }

    private static ControlFrame parseControl(ByteBuffer in, int offset, int length) throws FrameStreamException {
        int end = offset + length;
        int typeValue = in.getInt(offset);
        ControlType type = ControlType.fromWire(typeValue);
        if (type == null) {
            throw new FrameStreamException(MALFORMED_CONTROL_FRAME, "unknown control frame type " + typeValue);
        }
        List<String> contentTypes = new ArrayList<>(1);
        int at = offset + LENGTH_BYTES;
        while (at < end) {
            if (end - at < 2 * LENGTH_BYTES) {
                throw new FrameStreamException(MALFORMED_CONTROL_FRAME, type + " frame has "
                        + (end - at) + " trailing bytes");
            }
            int fieldType = in.getInt(at);
            int fieldLength = in.getInt(at + LENGTH_BYTES);
            at += 2 * LENGTH_BYTES;
            if (fieldType != FIELD_CONTENT_TYPE) {
                throw new FrameStreamException(MALFORMED_CONTROL_FRAME, type + " frame has unknown field type "
                        + Integer.toUnsignedString(fieldType));
            }
            if (fieldLength < 0 || fieldLength > MAX_CONTENT_TYPE_BYTES || fieldLength > end - at) {
                throw new FrameStreamException(MALFORMED_CONTROL_FRAME, type + " frame has a content type of "
                        + Integer.toUnsignedString(fieldLength) + " bytes");
            }
            byte[] bytes = new byte[fieldLength];
            in.get(at, bytes);
            contentTypes.add(new String(bytes, StandardCharsets.UTF_8));
            at += fieldLength;
        }
        checkFieldCount(type, contentTypes.size());
        return new ControlFrame(type, contentTypes);
    }

    /** START names at most one content type; STOP and FINISH name none (as in libfstrm). */
    private static void checkFieldCount(ControlType type, int count) throws FrameStreamException {
        int max = switch (type) {
            case START -> 1;
            case STOP, FINISH -> 0;
            case READY, ACCEPT -> Integer.MAX_VALUE;
        };
        if (count > max) {
            throw new FrameStreamException(MALFORMED_CONTROL_FRAME, type + " frame has " + count
                    + " content types; at most " + max + " allowed");
        }
    }
}
