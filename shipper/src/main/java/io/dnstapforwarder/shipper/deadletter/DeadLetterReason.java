package io.dnstapforwarder.shipper.deadletter;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

/**
 * Why records are dead-lettered.
 *
 * @param reason for humans: HEC's answer, or what failed
 * @param errorCode a short label from a bounded set ({@code hec_6}, {@code undecodable_record})
 * @param firstFailure when delivery first failed
 * @param attempts attempts this failure counts for
 * @param cause the exception, when a fault of the shipper's own (not HEC's answer) is the reason; or null
 */
public record DeadLetterReason(String reason, String errorCode, Instant firstFailure, int attempts, Throwable cause) {

    /** HEC's answer, or what is wrong with the record: no exception to show. */
    public static DeadLetterReason of(String reason, String errorCode, Instant at) {
        return new DeadLetterReason(reason, errorCode, at, 1, null);
    }

    /** An exception the shipper met on this record, kept with it so that the bug can be found. */
    public static DeadLetterReason fault(String errorCode, Throwable cause, Instant at) {
        String message = cause.getMessage() == null ? cause.getClass().getName()
                : cause.getClass().getName() + ": " + cause.getMessage();
        return new DeadLetterReason(message, errorCode, at, 1, cause);
    }

    /** The stack trace of the cause, at most 8 KiB of it; empty without a cause. */
    String stackTrace() {
        if (cause == null) {
            return "";
        }
        StringWriter text = new StringWriter();
        cause.printStackTrace(new PrintWriter(text));
        String trace = text.toString();
        return trace.length() <= 8192 ? trace : trace.substring(0, 8192);
    }
}
