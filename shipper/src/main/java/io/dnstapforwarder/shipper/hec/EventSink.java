package io.dnstapforwarder.shipper.hec;

import java.io.IOException;
import java.util.Collection;
import java.util.Set;

/** Where rendered events go: Splunk HEC, or a local JSON-lines file when no HEC is configured. */
public interface EventSink extends AutoCloseable {

    /** Sends a request and says what became of it. Blocks; never throws for a delivery problem. */
    Outcome deliver(HecRequest request) throws InterruptedException;

    /**
     * Of requests it accepted with an ackId ({@link Outcome.Delivered#ackId()}), the ones now
     * safely stored (HEC indexer acknowledgement). Each id is reported once.
     */
    Set<Long> indexed(Collection<Long> ackIds) throws IOException, InterruptedException;

    /** For logs: where this sink sends. */
    String describe();

    @Override
    void close();
}
