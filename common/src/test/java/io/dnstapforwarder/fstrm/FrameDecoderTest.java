package io.dnstapforwarder.fstrm;

import static io.dnstapforwarder.fstrm.Frames.DNSTAP;
import static io.dnstapforwarder.fstrm.Frames.raw;
import static io.dnstapforwarder.fstrm.Frames.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {

    private static final byte[] SAMPLE = stream(
            ControlFrame.of(ControlType.READY, DNSTAP, "protobuf:other"),
            ControlFrame.of(ControlType.START, DNSTAP),
            "first".getBytes(StandardCharsets.US_ASCII),
            "x".getBytes(StandardCharsets.US_ASCII),
            new byte[300],
            ControlFrame.of(ControlType.STOP));

    private static final List<Object> SAMPLE_FRAMES = List.of(
            ControlFrame.of(ControlType.READY, DNSTAP, "protobuf:other"),
            ControlFrame.of(ControlType.START, DNSTAP),
            "first",
            "x",
            new String(new byte[300], StandardCharsets.ISO_8859_1),
            ControlFrame.of(ControlType.STOP));

    @Test
    void decodesEveryFrameOfOneRead() throws Exception {
        assertThat(Frames.decodeInChunks(SAMPLE, SAMPLE.length, 1000)).isEqualTo(SAMPLE_FRAMES);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 13, 64})
    void decodesTheSameFramesWhateverTheReadsAreSplit(int chunk) throws Exception {
        assertThat(Frames.decodeInChunks(SAMPLE, chunk, 1000)).isEqualTo(SAMPLE_FRAMES);
    }

    @Test
    void leavesAPartialFrameForTheNextReadAndSaysHowLongItIs() throws Exception {
        FrameDecoder decoder = new FrameDecoder(1000);
        Frames.Recorder recorder = new Frames.Recorder();
        ByteBuffer buffer = ByteBuffer.wrap(stream("complete".getBytes(StandardCharsets.US_ASCII), new byte[200]), 0, 20);

        decoder.decode(buffer, recorder);

        assertThat(recorder.frames).containsExactly("complete");
        assertThat(buffer.position()).isEqualTo(12);
        assertThat(decoder.pendingFrameBytes(buffer)).isEqualTo(204);
    }

    @Test
    void refusesADataFrameOverTheLimitBeforeBufferingIt() {
        byte[] header = raw(1001);

        assertThatThrownBy(() -> new FrameDecoder(1000).decode(ByteBuffer.wrap(header), new Frames.Recorder()))
                .isInstanceOfSatisfying(FrameStreamException.class,
                        e -> assertThat(e.reason()).isEqualTo(FrameStreamException.Reason.FRAME_TOO_LARGE))
                .hasMessage("data frame of 1001 bytes exceeds the limit of 1000 bytes");
    }

    @Test
    void namesATlsHandshakeSentToAListenerWithoutTls() {
        // A TLS 1.2/1.3 ClientHello's record header: handshake (22), version 3.1, a length.
        byte[] clientHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};

        assertThatThrownBy(() -> new FrameDecoder(1_000_000).decode(ByteBuffer.wrap(clientHello), new Frames.Recorder()))
                .isInstanceOfSatisfying(FrameStreamException.class,
                        e -> assertThat(e.reason()).isEqualTo(FrameStreamException.Reason.TLS_TO_PLAIN_LISTENER))
                .hasMessageContaining("--tls-cert").hasMessageContaining("dnstap-tls: no");
    }

    @Test
    void readsALengthWithTheHighBitSetAsUnsignedAndTooLarge() {
        assertThatThrownBy(() -> new FrameDecoder(1000).decode(ByteBuffer.wrap(raw(0xFFFFFFF0)), new Frames.Recorder()))
                .hasMessage("data frame of 4294967280 bytes exceeds the limit of 1000 bytes");
    }

    @Test
    void refusesAControlFrameLongerThan512Bytes() {
        assertMalformed(raw(0, 513), "control frame length 513 is outside 4..512");
    }

    @Test
    void refusesAControlFrameTooShortToHoldItsType() {
        assertMalformed(raw(0, 2, 0), "control frame length 2 is outside 4..512");
    }

    @Test
    void refusesAnUnknownControlType() {
        assertMalformed(raw(0, 4, 9), "unknown control frame type 9");
    }

    @Test
    void refusesAnUnknownFieldType() {
        assertMalformed(raw(0, 12, 2, 7, 0), "START frame has unknown field type 7");
    }

    @Test
    void refusesAContentTypeLongerThanItsFrame() {
        assertMalformed(raw(0, 12, 2, 1, 40), "START frame has a content type of 40 bytes");
    }

    @Test
    void refusesBytesAfterTheLastField() {
        assertMalformed(raw(0, 6, 2, 0), "START frame has 2 trailing bytes");
    }

    @Test
    void refusesAStartNamingTwoContentTypes() {
        assertMalformed(stream(ControlFrame.of(ControlType.START, "a", "b")),
                "START frame has 2 content types; at most 1 allowed");
    }

    @Test
    void refusesAStopCarryingAContentType() {
        assertMalformed(stream(ControlFrame.of(ControlType.STOP, DNSTAP)),
                "STOP frame has 1 content types; at most 0 allowed");
    }

    @Test
    void rejectsANonPositiveLimit() {
        assertThatThrownBy(() -> new FrameDecoder(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDataFrameBytes must be at least 1, was 0");
    }

    private static void assertMalformed(byte[] bytes, String message) {
        assertThatThrownBy(() -> new FrameDecoder(1000).decode(ByteBuffer.wrap(bytes), new Frames.Recorder()))
                .isInstanceOfSatisfying(FrameStreamException.class,
                        e -> assertThat(e.reason()).isEqualTo(FrameStreamException.Reason.MALFORMED_CONTROL_FRAME))
                .hasMessage(message);
    }
}
