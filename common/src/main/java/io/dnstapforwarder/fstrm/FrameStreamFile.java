package io.dnstapforwarder.fstrm;

import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.TRUNCATED_FRAME;
import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.UNEXPECTED_FRAME;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Frame Streams files, as {@code fstrm_capture} and {@code dnstap -w} write them: a
 * unidirectional stream, START, data frames, STOP.
 */
public final class FrameStreamFile {

    /** Largest data frame read from a file; far above any real dnstap message. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    private FrameStreamFile() {
    }

    /** Every data frame of the file, in order, each in its own array. */
    public static List<byte[]> readAll(Path file, String contentType) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readAll(in, contentType);
        }
    }

    public static List<byte[]> readAll(InputStream in, String contentType) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        forEach(in, contentType, frame -> {
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            frames.add(copy);
        });
        return frames;
    }

    /** Hands each data frame to {@code handler}; the buffer is only valid during the call. */
    public static void forEach(InputStream in, String contentType, FrameStreamReceiver.DataHandler handler)
            throws IOException {
        ReadableByteChannel channel = Channels.newChannel(in);
        FrameStreamReceiver receiver = new FrameStreamReceiver(contentType, reply -> {
            throw new FrameStreamException(UNEXPECTED_FRAME, "a file cannot hold a bidirectional stream");
        }, handler);
        FrameDecoder decoder = new FrameDecoder(MAX_FRAME_BYTES);
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        while (!receiver.stopped()) {
            if (!buffer.hasRemaining()) {
                buffer = grow(buffer, decoder.pendingFrameBytes(buffer.flip()));
            }
            if (channel.read(buffer) < 0) {
                throw new FrameStreamException(TRUNCATED_FRAME, receiver.receiving()
                        ? "file ends without STOP" : "file ends before START");
            }
            buffer.flip();
            decoder.decode(buffer, receiver);
            buffer.compact();
        }
    }

    /** A buffer big enough for a frame of {@code needed} bytes, holding what {@code full} held. */
    private static ByteBuffer grow(ByteBuffer full, int needed) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, full.capacity() * 2));
        bigger.put(full);
        return bigger;
    }
}
