package io.dnstapforwarder.fstrm;

import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.CONTENT_TYPE_MISMATCH;
import static io.dnstapforwarder.fstrm.FrameStreamException.Reason.UNEXPECTED_FRAME;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The receiving end of one Frame Streams connection: the handshake state machine, separate from
 * framing ({@link FrameDecoder}) and from what is done with the data.
 *
 * <pre>
 * bidirectional:   READY  -> (ACCEPT) -> START -> data* -> STOP -> (FINISH)
 * unidirectional:  START  -> data* -> STOP
 * </pre>
 *
 * Both modes are accepted on the same listener: the first frame decides. A sender may close
 * right after STOP, or end the stream without STOP at all (dnsdist, PowerDNS); both are normal.
 * Not thread-safe: one instance belongs to one connection's reader.
 */
public final class FrameStreamReceiver implements FrameVisitor {

    /** Where the receiver writes its ACCEPT and FINISH answers. */
    @FunctionalInterface
    public interface ControlWriter {
        void write(ControlFrame frame) throws IOException;
    }

    /** Takes the data frames. The buffer is only valid during the call. */
    @FunctionalInterface
    public interface DataHandler {
        void onData(ByteBuffer frame) throws IOException;
    }

    /** How the sender opened the stream. */
    public enum Handshake {
        /** Nothing received yet. */
        NONE,
        BIDIRECTIONAL,
        UNIDIRECTIONAL
    }

    private enum State {
        AWAITING_READY_OR_START,
        AWAITING_START,
        RECEIVING,
        STOPPED
    }

    private final String contentType;
    private final ControlWriter replies;
    private final DataHandler data;
    private State state = State.AWAITING_READY_OR_START;
    private Handshake handshake = Handshake.NONE;

    public FrameStreamReceiver(String contentType, ControlWriter replies, DataHandler data) {
        this.contentType = contentType;
        this.replies = replies;
        this.data = data;
    }

    public Handshake handshake() {
        return handshake;
    }

    /** True once START was received and until STOP. */
    public boolean receiving() {
        return state == State.RECEIVING;
    }

    /** True once STOP was received (and, in bidirectional mode, answered with FINISH). */
    public boolean stopped() {
        return state == State.STOPPED;
    }

    @Override
    public void onDataFrame(ByteBuffer frame) throws IOException {
        if (state != State.RECEIVING) {
            throw unexpected("data frame");
        }
        data.onData(frame);
    }

    @Override
    public void onControlFrame(ControlFrame frame) throws IOException {
        switch (frame.type()) {
            case READY -> onReady(frame);
            case START -> onStart(frame);
            case STOP -> onStop();
            case ACCEPT, FINISH -> throw unexpected(frame.type() + " frame (only a receiver sends it)");
        }
    }

    private void onReady(ControlFrame ready) throws IOException {
        if (state != State.AWAITING_READY_OR_START) {
            throw unexpected("READY frame");
        }
        if (!ready.allows(contentType)) {
            throw new FrameStreamException(CONTENT_TYPE_MISMATCH, "sender offers content types "
                    + ready.contentTypes() + ", this receiver speaks only \"" + contentType + "\"");
        }
        handshake = Handshake.BIDIRECTIONAL;
        state = State.AWAITING_START;
        replies.write(ready.contentTypes().isEmpty()
                ? ControlFrame.of(ControlType.ACCEPT)
                : ControlFrame.of(ControlType.ACCEPT, contentType));
    }

    private void onStart(ControlFrame start) throws IOException {
        if (state != State.AWAITING_READY_OR_START && state != State.AWAITING_START) {
            throw unexpected("START frame");
        }
        if (!start.allows(contentType)) {
            throw new FrameStreamException(CONTENT_TYPE_MISMATCH, "sender started content type "
                    + start.contentTypes() + ", this receiver speaks only \"" + contentType + "\"");
        }
        if (handshake == Handshake.NONE) {
            handshake = Handshake.UNIDIRECTIONAL;
        }
        state = State.RECEIVING;
    }

    private void onStop() throws IOException {
        if (state != State.RECEIVING) {
            throw unexpected("STOP frame");
        }
        state = State.STOPPED;
        if (handshake == Handshake.BIDIRECTIONAL) {
            try {
                replies.write(ControlFrame.of(ControlType.FINISH));
            } catch (IOException senderGone) {
                // Senders may close right after STOP without waiting for FINISH (Unbound does):
                // the stream is complete, and there is nobody left to tell.
            }
        }
    }

    private FrameStreamException unexpected(String what) {
        String where = switch (state) {
            case AWAITING_READY_OR_START -> "before READY or START";
            case AWAITING_START -> "after ACCEPT, before START";
            case RECEIVING -> "while receiving data";
            case STOPPED -> "after STOP";
        };
        return new FrameStreamException(UNEXPECTED_FRAME, what + " " + where);
    }
}
