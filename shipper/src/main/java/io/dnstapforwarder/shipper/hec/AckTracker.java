package io.dnstapforwarder.shipper.hec;

import java.util.concurrent.CompletableFuture;

/**
 * HEC indexer acknowledgement: tells when a request HEC accepted is indexed. {@link #NONE} is
 * for when acknowledgement is off: HEC's success is enough, and every request counts as indexed
 * at once, so callers need no special case.
 */
public interface AckTracker extends AutoCloseable {

    /** Acknowledgement off: every accepted request is indexed as soon as HEC says it took it. */
    AckTracker NONE = new AckTracker() {
        private final CompletableFuture<Boolean> indexed = CompletableFuture.completedFuture(true);

        @Override
        public CompletableFuture<Boolean> indexed(EventSink sink, long ackId) {
            return indexed;
        }

        @Override
        public int pending() {
            return 0;
        }

        @Override
        public boolean acknowledges() {
            return false;
        }

        @Override
        public void close() {
        }
    };

    /**
     * A future that completes with true once {@code sink} reports the request it accepted as
     * {@code ackId} indexed, or with false when it does not in time (the caller sends it again).
     */
    CompletableFuture<Boolean> indexed(EventSink sink, long ackId);

    /**
     * True when HEC's word that it accepted events is not enough: they count only once indexed,
     * which only a request answered with an ackId can tell.
     */
    default boolean acknowledges() {
        return true;
    }

    /** Requests accepted and not yet reported indexed. */
    int pending();

    @Override
    void close();
}
