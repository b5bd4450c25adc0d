package io.dnstapforwarder.fstrm;

import static io.dnstapforwarder.fstrm.Frames.DNSTAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameStreamReceiverTest {

    private final List<ControlFrame> replies = new ArrayList<>();
    private final List<String> data = new ArrayList<>();
    private final FrameStreamReceiver receiver = new FrameStreamReceiver(DNSTAP, replies::add,
            frame -> data.add(StandardCharsets.US_ASCII.decode(frame).toString()));

    @Test
    void answersABidirectionalSenderWithAcceptAndFinish() throws Exception {
        receiver.onControlFrame(ControlFrame.of(ControlType.READY, "protobuf:other", DNSTAP));
        assertThat(replies).containsExactly(ControlFrame.of(ControlType.ACCEPT, DNSTAP));
        receiver.onControlFrame(ControlFrame.of(ControlType.START, DNSTAP));
        receiver.onDataFrame(ascii("one"));
        receiver.onDataFrame(ascii("two"));
        receiver.onControlFrame(ControlFrame.of(ControlType.STOP));

        assertThat(data).containsExactly("one", "two");
        assertThat(replies).containsExactly(ControlFrame.of(ControlType.ACCEPT, DNSTAP), ControlFrame.of(ControlType.FINISH));
        assertThat(receiver.handshake()).isEqualTo(FrameStreamReceiver.Handshake.BIDIRECTIONAL);
        assertThat(receiver.stopped()).isTrue();
    }

    @Test
    void endsCleanlyWhenTheSenderLeavesRightAfterStopWithoutWaitingForFinish() throws Exception {
        List<ControlFrame> written = new ArrayList<>();
        FrameStreamReceiver leaving = new FrameStreamReceiver(DNSTAP, frame -> {
            if (frame.type() == ControlType.FINISH) {
                throw new java.io.IOException("Broken pipe");
            }
            written.add(frame);
        }, frame -> { });

        leaving.onControlFrame(ControlFrame.of(ControlType.READY, DNSTAP));
        leaving.onControlFrame(ControlFrame.of(ControlType.START, DNSTAP));
        leaving.onControlFrame(ControlFrame.of(ControlType.STOP));

        assertThat(leaving.stopped()).isTrue();
        assertThat(written).containsExactly(ControlFrame.of(ControlType.ACCEPT, DNSTAP));
    }

    @Test
    void takesAUnidirectionalSenderWithoutAnswering() throws Exception {
        receiver.onControlFrame(ControlFrame.of(ControlType.START, DNSTAP));
        receiver.onDataFrame(ascii("one"));
        receiver.onControlFrame(ControlFrame.of(ControlType.STOP));

        assertThat(data).containsExactly("one");
        assertThat(replies).isEmpty();
        assertThat(receiver.handshake()).isEqualTo(FrameStreamReceiver.Handshake.UNIDIRECTIONAL);
    }

    @Test
    void takesAStartThatNamesNoContentType() throws Exception {
        receiver.onControlFrame(ControlFrame.of(ControlType.START));

        assertThat(receiver.receiving()).isTrue();
    }

    @Test
    void acceptsAReadyThatNamesNoContentTypeWithoutNamingOne() throws Exception {
        receiver.onControlFrame(ControlFrame.of(ControlType.READY));

        assertThat(replies).containsExactly(ControlFrame.of(ControlType.ACCEPT));
    }

    @Test
    void refusesASenderOfferingOnlyOtherContentTypes() {
        assertThatThrownBy(() -> receiver.onControlFrame(ControlFrame.of(ControlType.READY, "protobuf:other")))
                .isInstanceOfSatisfying(FrameStreamException.class,
                        e -> assertThat(e.reason()).isEqualTo(FrameStreamException.Reason.CONTENT_TYPE_MISMATCH))
                .hasMessage("sender offers content types [protobuf:other], this receiver speaks only \"protobuf:dnstap.Dnstap\"");
        assertThat(replies).isEmpty();
    }

    @Test
    void refusesAStartOfAnotherContentType() {
        assertThatThrownBy(() -> receiver.onControlFrame(ControlFrame.of(ControlType.START, "protobuf:other")))
                .hasMessage("sender started content type [protobuf:other], this receiver speaks only \"protobuf:dnstap.Dnstap\"");
    }

    @Test
    void refusesDataBeforeStart() {
        assertUnexpected(() -> receiver.onDataFrame(ascii("early")), "data frame before READY or START");
    }

    @Test
    void refusesDataBetweenAcceptAndStart() throws Exception {
        receiver.onControlFrame(ControlFrame.of(ControlType.READY, DNSTAP));

        assertUnexpected(() -> receiver.onDataFrame(ascii("early")), "data frame after ACCEPT, before START");
    }

    @Test
    void refusesASecondStart() throws Exception {
        receiver.onControlFrame(ControlFrame.of(ControlType.START, DNSTAP));

        assertUnexpected(() -> receiver.onControlFrame(ControlFrame.of(ControlType.START, DNSTAP)),
                "START frame while receiving data");
    }

    @Test
    void refusesAnythingAfterStop() throws Exception {
        receiver.onControlFrame(ControlFrame.of(ControlType.START, DNSTAP));
        receiver.onControlFrame(ControlFrame.of(ControlType.STOP));

        assertUnexpected(() -> receiver.onDataFrame(ascii("late")), "data frame after STOP");
    }

    @Test
    void refusesFramesOnlyAReceiverSends() {
        assertUnexpected(() -> receiver.onControlFrame(ControlFrame.of(ControlType.FINISH)),
                "FINISH frame (only a receiver sends it) before READY or START");
    }

    @Test
    void refusesReadyAfterStart() throws Exception {
        receiver.onControlFrame(ControlFrame.of(ControlType.START, DNSTAP));

        assertUnexpected(() -> receiver.onControlFrame(ControlFrame.of(ControlType.READY, DNSTAP)),
                "READY frame while receiving data");
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void assertUnexpected(Step step, String message) {
        assertThatThrownBy(step::run)
                .isInstanceOfSatisfying(FrameStreamException.class,
                        e -> assertThat(e.reason()).isEqualTo(FrameStreamException.Reason.UNEXPECTED_FRAME))
                .hasMessage(message);
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
