package io.dnstapforwarder.shipper;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.Require;
import io.dnstapforwarder.shipper.hec.TokenSource;
import io.dnstapforwarder.shipper.render.HecRouting;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
 * @param retryBase the first retry delay; it doubles per failure up to {@code retryMax}
 */
public record HecConfig(List<URI> urls, String token, Path tokenFile, String index, String sourcetype, int concurrency,
        int maxRetries, int compressionLevel, Duration retryBase, Duration retryMax, Breaker breaker, Tls tls, Ack ack,
        Duration requestTimeout, String source, Map<String, String> fields, Path routingFile) {

    public static final String DEFAULT_SOURCETYPE = "dnstap";
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final int DEFAULT_COMPRESSION_LEVEL = 1;
    public static final long DEFAULT_RETRY_BASE_MS = 200;
    public static final long DEFAULT_RETRY_MAX_MS = 30_000;
    /** Splunk's own HEC client timeouts are of this order; an indexer that needs longer is as good as down. */
    public static final int DEFAULT_REQUEST_TIMEOUT_SEC = 30;

    public HecConfig {
        urls = List.copyOf(urls);
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
        token = token == null ? null : token.strip(); // a Secret made from a file ends with a newline
        int unsendable = token == null ? -1 : TokenSource.unsendableAt(token);
        if (unsendable >= 0) {
            throw new ConfigException("--hec-token (DNSTAP_HEC_TOKEN) has a character an HTTP header cannot carry, at "
                    + "position " + (unsendable + 1) + " (the token is not shown)");
        }
        if (token != null && tokenFile != null) {
            throw new ConfigException("Set --hec-token (DNSTAP_HEC_TOKEN) or --hec-token-file "
                    + "(DNSTAP_HEC_TOKEN_FILE), not both");
        }
        if (!urls.isEmpty() && (token == null || token.isBlank()) && tokenFile == null) {
            throw new ConfigException("--hec-token (DNSTAP_HEC_TOKEN) or --hec-token-file (DNSTAP_HEC_TOKEN_FILE) is "
                    + "required when --hec-url is set");
        }
        Require.atLeast("--hec-concurrency", concurrency, 1);
        Require.atLeast("--hec-max-retries", maxRetries, 1);
        Require.between("--hec-compression-level", compressionLevel, 0, 9, "must be 0 (none) to 9");
        Require.atLeast("--hec-retry-base-ms", retryBase.toMillis(), 1);
        if (retryMax.compareTo(retryBase) < 0) {
            throw ConfigException.invalid("--hec-retry-max-ms", retryMax.toMillis(),
                    "must be at least --hec-retry-base-ms (" + retryBase.toMillis() + ")");
        }
        Require.atLeast("--hec-timeout-sec", requestTimeout.toSeconds(), 1);
        if (ack.enabled() && urls.isEmpty()) {
            throw ConfigException.invalid("--hec-ack", true, "needs --hec-url: there is no indexer to acknowledge");
        }
    }

    /**
     * Where each DNS server's events go: the source, sourcetype, index and fields here, or a
     * routing file's rule for the server.
     *
     * @throws io.dnstapforwarder.config.ConfigException when a value or the file cannot be used
     */
    public HecRouting routing() {
        return HecRouting.of(new HecRouting.Metadata(source, sourcetype, index, fields), routingFile);
    }

    /** HEC at {@code url} with {@code token}, everything else at its default. */
    public static HecConfig to(URI url, String token) {
        return builder().urls(List.of(url)).token(token).build();
    }

    /** HEC at {@code url} with the token in {@code tokenFile}, everything else at its default. */
    public static HecConfig to(URI url, Path tokenFile) {
        return builder().urls(List.of(url)).tokenFile(tokenFile).build();
    }

    /** No HEC: events go to {@code <data dir>/events.jsonl}; everything else at its default. */
    public static HecConfig none() {
        return builder().build();
    }

    /** Every setting at its default, and no URL. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().urls(urls).token(token).tokenFile(tokenFile).index(index).sourcetype(sourcetype)
                .concurrency(concurrency).maxRetries(maxRetries).compressionLevel(compressionLevel)
                .retries(retryBase, retryMax).breaker(breaker).tls(tls).ack(ack).requestTimeout(requestTimeout)
                .source(source).fields(fields).routingFile(routingFile);
    }

    public HecConfig withRetries(Duration base, Duration max, int maxRetries) {
        return toBuilder().retries(base, max).maxRetries(maxRetries).build();
    }

    public HecConfig withBreaker(Breaker breaker) {
        return toBuilder().breaker(breaker).build();
    }

    public HecConfig withConcurrency(int concurrency) {
        return toBuilder().concurrency(concurrency).build();
    }

    public HecConfig withTokenFile(Path tokenFile) {
        return toBuilder().token(null).tokenFile(tokenFile).build();
    }

    public HecConfig withSourcetype(String sourcetype) {
        return toBuilder().sourcetype(sourcetype).build();
    }

    public HecConfig withAck(Ack ack) {
        return toBuilder().ack(ack).build();
    }

    public HecConfig withTls(Tls tls) {
        return toBuilder().tls(tls).build();
    }

    /** The whole of one request's exchange, answer included, must end within this. */
    public HecConfig withRequestTimeout(Duration requestTimeout) {
        return toBuilder().requestTimeout(requestTimeout).build();
    }

    public HecConfig withUrls(List<URI> urls) {
        return toBuilder().urls(urls).build();
    }

    /** The HEC settings by name, each at its default until set; {@link #build()} validates them. */
    public static final class Builder {
        private List<URI> urls = List.of();
        private String token;
        private Path tokenFile;
        private String index;
        private String sourcetype = DEFAULT_SOURCETYPE;
        private int concurrency = DEFAULT_CONCURRENCY;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private int compressionLevel = DEFAULT_COMPRESSION_LEVEL;
        private Duration retryBase = Duration.ofMillis(DEFAULT_RETRY_BASE_MS);
        private Duration retryMax = Duration.ofMillis(DEFAULT_RETRY_MAX_MS);
        private Breaker breaker = Breaker.DEFAULTS;
        private Tls tls = Tls.VERIFY;
        private Ack ack = Ack.OFF;
        private Duration requestTimeout = Duration.ofSeconds(DEFAULT_REQUEST_TIMEOUT_SEC);
        private String source = HecRouting.DEFAULT_SOURCE;
        private Map<String, String> fields = Map.of();
        private Path routingFile;

        private Builder() {
        }

        public Builder source(String source) {
            this.source = source;
            return this;
        }

        /** Indexed fields every event carries (HEC's {@code fields}). */
        public Builder fields(Map<String, String> fields) {
            this.fields = fields;
            return this;
        }

        /** Rules by DNS server for the metadata above, read again when the file changes; null for none. */
        public Builder routingFile(Path routingFile) {
            this.routingFile = routingFile;
            return this;
        }

        public Builder urls(List<URI> urls) {
            this.urls = urls;
            return this;
        }

        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder tokenFile(Path tokenFile) {
            this.tokenFile = tokenFile;
            return this;
        }

        public Builder index(String index) {
            this.index = index;
            return this;
        }

        public Builder sourcetype(String sourcetype) {
            this.sourcetype = sourcetype;
            return this;
        }

        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder compressionLevel(int compressionLevel) {
            this.compressionLevel = compressionLevel;
            return this;
        }

        /** The first retry delay, doubling per failure up to {@code max}. */
        public Builder retries(Duration base, Duration max) {
            this.retryBase = base;
            this.retryMax = max;
            return this;
        }

        public Builder breaker(Breaker breaker) {
            this.breaker = breaker;
            return this;
        }

        public Builder tls(Tls tls) {
            this.tls = tls;
            return this;
        }

        public Builder ack(Ack ack) {
            this.ack = ack;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public HecConfig build() {
            return new HecConfig(urls, token, tokenFile, index, sourcetype, concurrency, maxRetries, compressionLevel,
                    retryBase, retryMax, breaker, tls, ack, requestTimeout, source, fields, routingFile);
        }
    }

    @Override
    public String toString() {
        return "HecConfig[urls=" + urls + ", token=********, tokenFile=" + tokenFile + ", index=" + index + "]";
    }

    /**
     * The circuit breaker each endpoint has.
     *
     * @param failureRatePercent failed share of the last {@code window} requests that opens it
     * @param window requests the failure rate is taken over (and the fewest before it can open)
     * @param openFor how long it stays open before letting probe requests through
     */
    public record Breaker(boolean enabled, int failureRatePercent, int window, Duration openFor) {

        public static final int DEFAULT_FAILURE_RATE_PERCENT = 50;
        public static final int DEFAULT_WINDOW = 10;
        public static final long DEFAULT_OPEN_SECONDS = 15;
        public static final Breaker DEFAULTS = new Breaker(true, DEFAULT_FAILURE_RATE_PERCENT, DEFAULT_WINDOW,
                Duration.ofSeconds(DEFAULT_OPEN_SECONDS));

        public Breaker {
            Require.between("--hec-breaker-failure-rate", failureRatePercent, 1, 100, "must be a percentage, 1 to 100");
            Require.atLeast("--hec-breaker-window", window, 1);
            Require.atLeast("--hec-breaker-open-sec", openFor.toSeconds(), 1);
        }
    }

    /**
     * HEC indexer acknowledgement: a request counts as delivered only once HEC reports it indexed.
     *
     * @param pollInterval how often HEC is asked which requests are indexed
     * @param timeout how long a request may stay unacknowledged before it is sent again
     */
    public record Ack(boolean enabled, Duration pollInterval, Duration timeout) {

        public static final long DEFAULT_POLL_MS = 1000;
        public static final long DEFAULT_TIMEOUT_SECONDS = 300;
        public static final Ack OFF = new Ack(false, Duration.ofMillis(DEFAULT_POLL_MS),
                Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS));

        public Ack {
            Require.atLeast("--hec-ack-poll-ms", pollInterval.toMillis(), 10);
            Require.atLeast("--hec-ack-timeout-sec", timeout.toSeconds(), 1);
        }

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
}
