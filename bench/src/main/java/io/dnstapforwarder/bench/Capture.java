package io.dnstapforwarder.bench;

import com.github.luben.zstd.ZstdInputStream;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEventEncoder;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A capture's data frames, length-prefixed back to back in one direct buffer, and where each
 * starts: what the load generators send, a frame or a run of frames at a time, without copying.
 *
 * @param offsets where frame {@code i} starts; {@code offsets[count]} is the end
 */
public record Capture(ByteBuffer bytes, int[] offsets, int count) {

    /** Reads a capture, {@code .fstrm} or {@code .fstrm.zst}. */
    public static Capture read(Path file) throws IOException {
        List<byte[]> frames;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 20);
                InputStream in = file.toString().endsWith(".zst") ? new ZstdInputStream(raw) : raw) {
            frames = FrameStreamFile.readAll(in, DnstapEvents.DNSTAP_CONTENT_TYPE);
        }
        long total = frames.stream().mapToLong(f -> 4L + f.length).sum();
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(total));
        int[] offsets = new int[frames.size() + 1];
        for (int i = 0; i < frames.size(); i++) {
            offsets[i] = bytes.position();
            bytes.putInt(frames.get(i).length).put(frames.get(i));
        }
        offsets[frames.size()] = bytes.position();
        bytes.flip();
        return new Capture(bytes, offsets, frames.size());
    }

    /** Frames {@code [from, from + count)}, framed, as a view. */
    public ByteBuffer frames(int from, int count) {
        ByteBuffer run = bytes.duplicate();
        run.position(offsets[from]).limit(offsets[from + count]);
        return run;
    }

    /** Mean bytes of a frame's payload. */
    /**
     * Frame {@code index} in the collector's envelope, as the collector publishes it from a Unix
     * socket ({@code encoder}: {@link #envelopes()}).
     */
    public byte[] envelope(int index, DnstapEventEncoder encoder) {
        ByteBuffer frame = frames(index, 1);
        frame.position(frame.position() + 4); // past the frame's length
        return encoder.encode(frame, index);
    }

    /** An encoder of the collector's envelope for {@link #envelope}: one per thread. */
    public static DnstapEventEncoder envelopes() {
        return new DnstapEventEncoder(DnstapEvent.newBuilder().setCollectorId("bench")
                .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setTransport(Transport.UNIX)
                .setPeerAddress("/run/dnstap.sock").build());
    }

    public double meanFrameBytes() {
        return (double) (bytes.capacity() - 4L * count) / count;
    }
}
