package io.dnstapforwarder.shipper.hec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/** Sends batches to one Splunk HEC endpoint, gzip-compressed unless the level is 0. */
public final class HecSink implements EventSink {

    private final HecClient client;
    private final int compressionLevel;

    /** How long a connection to HEC may take to open. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A sink per HEC URL, sharing one HTTP client (connections and TLS) and one request channel:
     * HEC indexer acknowledgement wants one channel per sender instance.
     *
     * @param caFile CA certificates HEC's certificate must chain to, or null for the JDK's
     * @param verifyTls whether to check HEC's certificate at all
     * @param requestTimeout the longest a whole exchange may take, the answer included
     */
    public static List<HecSink> connect(List<URI> urls, Supplier<String> token, Path caFile, boolean verifyTls,
            int compressionLevel, Duration requestTimeout) throws IOException {
        HttpClient http = HecClient.httpClient(CONNECT_TIMEOUT, HecTls.context(caFile, verifyTls));
        UUID channel = UUID.randomUUID();
        List<HecSink> sinks = new ArrayList<>();
        for (URI url : urls) {
            sinks.add(new HecSink(new HecClient(url, token, channel, http, requestTimeout), compressionLevel));
        }
        return sinks;
    }

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

    /** The endpoint's base URL, as configured. */
    public URI url() {
        return client.baseUrl();
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
