package io.dnstapforwarder.fstrm;

import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.CONTENT_TYPE_MISMATCH;
import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.TRUNCATED_FRAME;
import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.UNEXPECTED_FRAME;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/**
 * The sending end of a Frame Streams connection, over a blocking channel: what a DNS server does.
 * Used by tests, the load generator and relays. Data frames are buffered and written in large
 * writes; {@link #flush()} pushes them out, {@link #close()} ends the stream politely (STOP, and in
 * bidirectional mode waits for FINISH) and closes the channel. Not thread-safe.
 */
public final class FrameStreamWriter implements Closeable {

    /** Buffer size when the caller does not choose one. */
    public static final int DEFAULT_BUFFER_BYTES = 64 * 1024;

    private final ByteChannel channel;
    private final boolean bidirectional;
    private final ByteBuffer out;
    private boolean closed;

    private FrameStreamWriter(ByteChannel channel, boolean bidirectional, int bufferBytes) {
        this.channel = channel;
        this.bidirectional = bidirectional;
        this.out = ByteBuffer.allocate(bufferBytes);
    }

    /**
     * Opens a stream on a connected channel: READY, wait for ACCEPT, then START when
     * bidirectional; just START otherwise.
     */
    public static FrameStreamWriter open(ByteChannel channel, String contentType, boolean bidirectional)
            throws IOException {
        return open(channel, contentType, bidirectional, DEFAULT_BUFFER_BYTES);
    }

    public static FrameStreamWriter open(ByteChannel channel, String contentType, boolean bidirectional,
            int bufferBytes) throws IOException {
        FrameStreamWriter writer = new FrameStreamWriter(channel, bidirectional, bufferBytes);
        if (bidirectional) {
            writer.writeControl(ControlFrame.of(ControlType.READY, contentType));
            writer.flush();
            ControlFrame accept = writer.awaitControl(ControlType.ACCEPT);
            if (!accept.allows(contentType)) {
                throw new FrameStreamException(CONTENT_TYPE_MISMATCH, "receiver accepted " + accept.contentTypes()
                        + ", not \"" + contentType + "\"");
            }
        }
        writer.writeControl(ControlFrame.of(ControlType.START, contentType));
        return writer;
    }

    /** Queues one data frame: the bytes between the buffer's position and limit. */
    public void write(ByteBuffer frame) throws IOException {
        int needed = FrameDecoder.LENGTH_BYTES + frame.remaining();
        if (out.remaining() < needed) {
            flush();
        }
        if (out.remaining() < needed) {
            // Larger than the whole buffer: send its length, then the frame itself, unbuffered.
            out.putInt(frame.remaining());
            flush();
            writeFully(frame);
            return;
        }
        FrameEncoder.writeData(frame, out);
    }

    public void write(byte[] frame) throws IOException {
        write(ByteBuffer.wrap(frame));
    }

    /**
     * Writes bytes that already are whole data frames, length prefixes included (a capture's
     * body, say), straight to the channel: the fastest way to send, for load generators and
     * relays. The caller vouches for the framing.
     */
    public void writeFramed(ByteBuffer frames) throws IOException {
        flush();
        writeFully(frames);
    }

    /** Writes everything queued so far to the channel. */
    public void flush() throws IOException {
        out.flip();
        writeFully(out);
        out.clear();
    }

    /**
     * Ends the stream: STOP; in bidirectional mode waits for the receiver's FINISH. Then closes the
     * channel, also when that fails.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (channel) {
            writeControl(ControlFrame.of(ControlType.STOP));
            flush();
            if (bidirectional) {
                awaitControl(ControlType.FINISH);
            }
        }
    }

    private void writeControl(ControlFrame frame) throws IOException {
        if (out.remaining() < FrameEncoder.encodedSize(frame)) {
            flush();
        }
        FrameEncoder.write(frame, out);
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads until one control frame arrives; it must be of the expected type. */
    private ControlFrame awaitControl(ControlType expected) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(FrameDecoder.MAX_CONTROL_FRAME_BYTES + 2 * FrameDecoder.LENGTH_BYTES);
        FrameDecoder decoder = new FrameDecoder(1);
        ControlFrame[] received = new ControlFrame[1];
        FrameVisitor visitor = new FrameVisitor() {
            @Override
            public void onDataFrame(ByteBuffer frame) throws FrameStreamException {
                throw new FrameStreamException(UNEXPECTED_FRAME, "receiver sent a data frame");
            }

            @Override
            public void onControlFrame(ControlFrame frame) throws FrameStreamException {
                if (received[0] != null || frame.type() != expected) {
                    throw new FrameStreamException(UNEXPECTED_FRAME, "expected " + expected + " from the receiver, got "
                            + frame.type());
                }
                received[0] = frame;
            }
        };
        while (received[0] == null) {
            if (channel.read(in) < 0) {
                throw new FrameStreamException(TRUNCATED_FRAME, "receiver closed the connection while "
                        + expected + " was awaited");
            }
            in.flip();
            decoder.decode(in, visitor);
            in.compact();
        }
        return received[0];
    }
}
