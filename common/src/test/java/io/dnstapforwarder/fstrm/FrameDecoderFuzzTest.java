package io.dnstapforwarder.fstrm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of the decoder over arbitrary input: what a hostile or broken peer can send. */
class FrameDecoderFuzzTest {

    private static final int MAX_FRAME = 4096;

    @Property(tries = 3000)
    void arbitraryBytesEitherDecodeOrFailWithAFrameStreamException(@ForAll("nearlyValidStreams") byte[] bytes,
            @ForAll @IntRange(min = 1, max = 64) int chunk) throws Exception {
        FrameStreamReceiver receiver = new FrameStreamReceiver(Frames.DNSTAP, reply -> { }, frame -> {
            assertThat(frame.remaining()).isBetween(1, MAX_FRAME);
        });
        FrameDecoder decoder = new FrameDecoder(MAX_FRAME);
        ByteBuffer buffer = ByteBuffer.allocate(MAX_FRAME + 8);
        try {
            for (int at = 0; at < bytes.length; at += chunk) {
                int n = Math.min(chunk, bytes.length - at);
                if (buffer.remaining() < n) {
                    // The reader would grow to pendingFrameBytes, which the limit bounds.
                    assertThat(decoder.pendingFrameBytes(buffer.duplicate().flip())).isLessThanOrEqualTo(MAX_FRAME + 8);
                    return;
                }
                buffer.put(bytes, at, n).flip();
                decoder.decode(buffer, receiver);
                buffer.compact();
            }
        } catch (FrameStreamException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Property(tries = 300)
    void anyValidStreamDecodesToTheSameFramesHoweverItIsSplit(@ForAll("dataFrames") List<byte[]> data,
            @ForAll @IntRange(min = 1, max = 300) int chunk) throws Exception {
        List<Object> frames = new ArrayList<>();
        frames.add(ControlFrame.of(ControlType.START, Frames.DNSTAP));
        frames.addAll(data);
        frames.add(ControlFrame.of(ControlType.STOP));
        byte[] stream = Frames.stream(frames.toArray());

        List<Object> decoded = Frames.decodeInChunks(stream, chunk, MAX_FRAME);

        assertThat(decoded).hasSize(frames.size());
        for (int i = 0; i < data.size(); i++) {
            assertThat(((String) decoded.get(i + 1)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))
                    .isEqualTo(data.get(i));
        }
    }

    /**
     * Uniformly random bytes almost always start with a huge length and stop at once, so most
     * inputs here are built from the words a stream is made of (escape 0, small lengths, control
     * and field types), mixed with random bytes.
     */
    @Provide
    Arbitrary<byte[]> nearlyValidStreams() {
        Arbitrary<byte[]> word = Arbitraries.integers().between(0, 40).map(Frames::raw);
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40);
        Arbitrary<byte[]> contentType = Arbitraries.just(Frames.DNSTAP.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, word), net.jqwik.api.Tuple.of(2, noise), net.jqwik.api.Tuple.of(1, contentType))
                .list().ofMaxSize(60)
                .map(parts -> {
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    parts.forEach(out::writeBytes);
                    return out.toByteArray();
                });
    }

    @Provide
    Arbitrary<List<byte[]>> dataFrames() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(600).list().ofMaxSize(20);
    }
}
