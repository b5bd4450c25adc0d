package io.dnstapforwarder.shipper.hec;

import java.time.Duration;

/** What became of one delivery attempt. */
public sealed interface Outcome {

    /** A short, bounded label for metrics and logs: {@code hec_9}, {@code http_502}, {@code connect}. */
    String errorCode();

    /** Accepted. With indexer acknowledgement, {@code ackId} is the id to poll; else -1. */
    record Delivered(long ackId) implements Outcome {
        @Override
        public String errorCode() {
            return "none";
        }
    }

    /** A transient failure: send the same events again later, no sooner than {@code retryAfter} if set. */
    record Retryable(String reason, String errorCode, Duration retryAfter) implements Outcome {
    }

    /**
     * The endpoint refused the data itself. {@code invalidEventNumber} is the 0-based index of the
     * event HEC named (the ones before it were indexed), or -1 when HEC did not say.
     */
    record Rejected(String reason, String errorCode, int invalidEventNumber) implements Outcome {
    }

    /**
     * The request is larger than the endpoint takes (HTTP 413): its events are sent again in
     * smaller requests; an event too large on its own is dead-lettered.
     */
    record TooLarge(String reason, String errorCode) implements Outcome {
    }

    /**
     * Our configuration, or what stands between us and HEC, is wrong (token, channel, index, URL,
     * a proxy answering for HEC): nothing is sent until it is fixed; data waits in Kafka.
     */
    record Misconfigured(String reason, String errorCode) implements Outcome {
    }
}
