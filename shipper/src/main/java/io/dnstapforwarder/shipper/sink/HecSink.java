package io.dnstapforwarder.shipper.sink;

import io.dnstapforwarder.shipper.batch.Batch;
import io.dnstapforwarder.shipper.hec.HecClient;
import io.dnstapforwarder.shipper.hec.Outcome;

/** Sends batches to Splunk HEC, gzip-compressed. */
public final class HecSink implements EventSink {

    private final HecClient client;

    public HecSink(HecClient client) {
        this.client = client;
    }

    @Override
    public Outcome deliver(Batch batch) throws InterruptedException {
        return client.post(batch.gzippedBody());
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
