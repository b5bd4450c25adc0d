package io.dnstapforwarder.shipper;

import io.dnstapforwarder.config.HostPort;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The shipper's validated configuration.
 *
 * @param dataDir local data: {@code events.jsonl} when there is no HEC URL
 * @param monitoring the ops endpoint, or {@code null} when monitoring is off
 * @param performanceLogInterval how often to log a line of rates; zero for never
 */
public record ShipperConfig(String shipperId, Hec hec, Batching batching, Kafka kafka, Path dataDir, HostPort monitoring,
        Duration performanceLogInterval) {

    /** Without performance logging. */
    public ShipperConfig(String shipperId, Hec hec, Batching batching, Kafka kafka, Path dataDir, HostPort monitoring) {
        this(shipperId, hec, batching, kafka, dataDir, monitoring, Duration.ZERO);
    }

    /** Where events go without a HEC URL. */
    public Path eventsFile() {
        return dataDir.resolve("events.jsonl");
    }

    /** For logs and the start-up banner: where events go. */
    public String destination() {
        return hec.urls().isEmpty() ? eventsFile().toAbsolutePath().toString()
                : hec.urls().stream().map(URI::toString).collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * Splunk HEC, and how to talk to it.
     *
     * @param urls base URLs (requests are spread over them); empty to write {@code events.jsonl}
     * @param token the token, or {@code null} when it comes from {@code tokenFile}; never logged
     * @param tokenFile a file holding the token, read again whenever it changes; or {@code null}
     * @param index index for every event, or {@code null} for the token's default
     * @param concurrency requests in flight at once
     * @param maxRetries failed attempts after which a request counts as a failure for the breaker
     * @param compressionLevel gzip level, 1 (fastest) to 9; 0 for no compression
     */
    public record Hec(List<URI> urls, String token, Path tokenFile, String index, String sourcetype, int concurrency,
            int maxRetries, int compressionLevel, Duration retryBase, Duration retryMax, Breaker breaker, Tls tls, Ack ack) {

        public Hec {
            urls = List.copyOf(urls);
        }

        /** HEC at {@code url} with {@code token}, everything else at its default. */
        public static Hec to(URI url, String token) {
            return new Hec(List.of(url), token, null, null, "dnstap", 4, 3, 1, Duration.ofMillis(200),
                    Duration.ofSeconds(30), Breaker.DEFAULTS, Tls.VERIFY, Ack.OFF);
        }

        /** No HEC: events go to {@code <data dir>/events.jsonl}. */
        public static Hec none() {
            return new Hec(List.of(), null, null, null, "dnstap", 2, 3, 1, Duration.ofMillis(200), Duration.ofSeconds(30),
                    Breaker.DEFAULTS, Tls.VERIFY, Ack.OFF);
        }

        public Hec withRetries(Duration base, Duration max, int maxRetries) {
            return new Hec(urls, token, tokenFile, index, sourcetype, concurrency, maxRetries, compressionLevel, base, max,
                    breaker, tls, ack);
        }

        public Hec withBreaker(Breaker breaker) {
            return new Hec(urls, token, tokenFile, index, sourcetype, concurrency, maxRetries, compressionLevel, retryBase,
                    retryMax, breaker, tls, ack);
        }

        public Hec withConcurrency(int concurrency) {
            return new Hec(urls, token, tokenFile, index, sourcetype, concurrency, maxRetries, compressionLevel, retryBase,
                    retryMax, breaker, tls, ack);
        }

        public Hec withTokenFile(Path tokenFile) {
            return new Hec(urls, null, tokenFile, index, sourcetype, concurrency, maxRetries, compressionLevel, retryBase,
                    retryMax, breaker, tls, ack);
        }

        public Hec withSourcetype(String sourcetype) {
            return new Hec(urls, token, tokenFile, index, sourcetype, concurrency, maxRetries, compressionLevel, retryBase,
                    retryMax, breaker, tls, ack);
        }

        public Hec withAck(Ack ack) {
            return new Hec(urls, token, tokenFile, index, sourcetype, concurrency, maxRetries, compressionLevel, retryBase,
                    retryMax, breaker, tls, ack);
        }

        public Hec withTls(Tls tls) {
            return new Hec(urls, token, tokenFile, index, sourcetype, concurrency, maxRetries, compressionLevel, retryBase,
                    retryMax, breaker, tls, ack);
        }

        public Hec withUrls(List<URI> urls) {
            return new Hec(urls, token, tokenFile, index, sourcetype, concurrency, maxRetries, compressionLevel, retryBase,
                    retryMax, breaker, tls, ack);
        }

        @Override
        public String toString() {
            return "Hec[urls=" + urls + ", token=********, tokenFile=" + tokenFile + ", index=" + index + "]";
        }
    }

    /**
     * The circuit breaker each endpoint has.
     *
     * @param failureRatePercent failed share of the last {@code window} requests that opens it
     * @param window requests the failure rate is taken over (and the fewest before it can open)
     * @param openFor how long it stays open before letting probe requests through
     */
    public record Breaker(boolean enabled, int failureRatePercent, int window, Duration openFor) {
        public static final Breaker DEFAULTS = new Breaker(true, 50, 10, Duration.ofSeconds(15));
    }

    /**
     * HEC indexer acknowledgement: a request counts as delivered only once HEC reports it indexed.
     *
     * @param pollInterval how often HEC is asked which requests are indexed
     * @param timeout how long a request may stay unacknowledged before it is sent again
     */
    public record Ack(boolean enabled, Duration pollInterval, Duration timeout) {
        public static final Ack OFF = new Ack(false, Duration.ofSeconds(1), Duration.ofMinutes(5));

        public static Ack on(Duration pollInterval, Duration timeout) {
            return new Ack(true, pollInterval, timeout);
        }
    }

    /**
     * TLS toward HEC.
     *
     * @param caFile CA certificates (PEM) to trust instead of the JDK's, or {@code null}
     * @param verify false to accept any certificate (never in production)
     */
    public record Tls(Path caFile, boolean verify) {
        public static final Tls VERIFY = new Tls(null, true);
    }

    /**
     * @param maxEvents most events in one batch (and one request)
     * @param maxBytes most bytes in one request
     * @param flushInterval longest time an event waits for its batch to fill
     */
    public record Batching(int maxEvents, long maxBytes, Duration flushInterval) {
        public static final Batching DEFAULTS = new Batching(1000, 1_000_000, Duration.ofSeconds(1));
    }

    public record Kafka(String bootstrap, String topic, String group, String deadLetterTopic, Map<String, String> properties) {
        public Kafka {
            properties = Map.copyOf(properties);
        }

        /** The same cluster and settings, reading {@code topic} as {@code group}. */
        public Kafka reading(String topic, String group) {
            return new Kafka(bootstrap, topic, group, deadLetterTopic, properties);
        }
    }

    public ShipperConfig withKafka(Kafka kafka) {
        return new ShipperConfig(shipperId, hec, batching, kafka, dataDir, monitoring, performanceLogInterval);
    }
}
