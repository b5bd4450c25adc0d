package io.dnstapforwarder.fstrm;

import java.io.IOException;
import java.util.Locale;

/**
 * A Frame Streams protocol violation by the peer. The connection it happened on cannot continue;
 * nothing else is affected. {@link #reason()} is a bounded set, fit for a metric tag.
 */
public final class FrameStreamException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why a stream was refused. */
    public enum Reason {
        /** A data frame longer than the configured maximum. */
        FRAME_TOO_LARGE,
        /** A control frame that does not parse: bad length, unknown type or field, trailing bytes. */
        MALFORMED_CONTROL_FRAME,
        /** A control frame, or a data frame, that the handshake state does not allow here. */
        UNEXPECTED_FRAME,
        /** The peer offered or started a content type other than the one this endpoint speaks. */
        CONTENT_TYPE_MISMATCH,
        /** The stream ended in the middle of a frame. */
        TRUNCATED_FRAME,
        /**
         * The sender began a TLS handshake on a listener without TLS (Unbound's {@code dnstap-tls}
         * is on by default): named apart, as it is a configuration to fix, not a broken sender.
         */
        TLS_TO_PLAIN_LISTENER;

        /** The reason as a lower-case tag value, e.g. {@code frame_too_large}. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public FrameStreamException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
