package io.dnstapforwarder.shipper.hec;

import java.io.IOException;
import java.util.Collection;
import java.util.Set;

/** Sends batches to one Splunk HEC endpoint, gzip-compressed unless the level is 0. */
public final class HecSink implements EventSink {

    private final HecClient client;
    private final int compressionLevel;

    /** @param compressionLevel gzip level 1 (fastest) to 9 (smallest); 0 sends uncompressed */
    public HecSink(HecClient client, int compressionLevel) {
        this.client = client;
        this.compressionLevel = compressionLevel;
    }

    @Override
    public Outcome deliver(HecRequest request) throws InterruptedException {
        return compressionLevel == 0 ? client.post(request.body(), false)
                : client.post(request.gzippedBody(compressionLevel), true);
    }

    @Override
    public Set<Long> indexed(Collection<Long> ackIds) throws IOException, InterruptedException {
        return client.indexed(ackIds);
    }

    @Override
    public String describe() {
        return "Splunk HEC at " + client.eventUri();
    }

    @Override
    public void close() {
        // The JDK HTTP client has nothing to release that its threads' exit does not.
    }
}
