package io.dnstapforwarder.fstrm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: build encoded streams and collect what a decoder finds. */
final class Frames {

    static final String DNSTAP = "protobuf:dnstap.Dnstap";

    private Frames() {
    }

    /** Concatenates encoded control frames ({@link ControlFrame}) and data frames ({@code byte[]}). */
    static byte[] stream(Object... frames) {
        ByteBuffer out = ByteBuffer.allocate(1 << 20);
        for (Object frame : frames) {
            if (frame instanceof ControlFrame control) {
                FrameEncoder.write(control, out);
            } else {
                FrameEncoder.writeData(ByteBuffer.wrap((byte[]) frame), out);
            }
        }
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    static byte[] raw(int... words) {
        ByteBuffer out = ByteBuffer.allocate(words.length * 4);
        for (int word : words) {
            out.putInt(word);
        }
        return out.array();
    }

    /** Records every frame as either a {@link ControlFrame} or a {@code String} of the data. */
    static final class Recorder implements FrameVisitor {
        final List<Object> frames = new ArrayList<>();

        @Override
        public void onDataFrame(ByteBuffer frame) {
            byte[] bytes = new byte[frame.remaining()];
            frame.get(bytes);
            frames.add(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
        }

        @Override
        public void onControlFrame(ControlFrame frame) {
            frames.add(frame);
        }
    }

    /** Feeds {@code stream} to a decoder in chunks of {@code chunk} bytes, as a socket might. */
    static List<Object> decodeInChunks(byte[] stream, int chunk, int maxFrame) throws IOException {
        FrameDecoder decoder = new FrameDecoder(maxFrame);
        Recorder recorder = new Recorder();
        ByteBuffer buffer = ByteBuffer.allocate(stream.length + 16);
        for (int at = 0; at < stream.length; at += chunk) {
            buffer.put(stream, at, Math.min(chunk, stream.length - at));
            buffer.flip();
            decoder.decode(buffer, recorder);
            buffer.compact();
        }
        if (buffer.position() != 0) {
            throw new AssertionError(buffer.position() + " bytes left undecoded");
        }
        return recorder.frames;
    }
}
