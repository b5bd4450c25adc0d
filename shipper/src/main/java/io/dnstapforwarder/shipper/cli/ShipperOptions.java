package io.dnstapforwarder.shipper.cli;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.ops.ServiceInfo;
import io.dnstapforwarder.shipper.HecConfig.Ack;
import io.dnstapforwarder.shipper.ShipperConfig.Batching;
import io.dnstapforwarder.shipper.HecConfig.Breaker;
import io.dnstapforwarder.shipper.ShipperConfig.Guards;
import io.dnstapforwarder.shipper.HecConfig;
import io.dnstapforwarder.shipper.render.HecRouting;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The shipper's own options; shared by the {@code shipper} and {@code standalone} commands. */
public final class ShipperOptions {

    @Option(names = "--hec-url", paramLabel = "URL[,URL...]", split = ",",
            description = "Splunk HEC base URL(s), e.g. https://splunk:8088; requests are spread over several, each with "
                    + "its own circuit breaker. Without one, events are written as JSON lines to <data dir>/events.jsonl.")
    private List<String> hecUrls = new ArrayList<>();

    @Option(names = "--hec-token", paramLabel = "TOKEN", description = "Splunk HEC token. Never logged.")
    private String hecToken;

    @Option(names = "--hec-token-file", paramLabel = "FILE",
            description = "File holding the HEC token, read again whenever it changes (no restart for a new token).")
    private Path hecTokenFile;

    @Option(names = "--hec-index", paramLabel = "INDEX",
            description = "Splunk index for the events. Default: the token's default index.")
    private String hecIndex;

    @Option(names = "--hec-sourcetype", paramLabel = "SOURCETYPE", defaultValue = HecConfig.DEFAULT_SOURCETYPE,
            description = "Splunk sourcetype of the events. Default: ${DEFAULT-VALUE}.")
    private String hecSourcetype;

    @Option(names = "--hec-source", paramLabel = "SOURCE", defaultValue = HecRouting.DEFAULT_SOURCE,
            description = "Splunk source of the events (a site, a pipeline). Default: ${DEFAULT-VALUE}.")
    private String hecSource;

    @Option(names = "--hec-field", paramLabel = "NAME=VALUE", split = ",",
            description = "An indexed field every event carries (HEC's fields), e.g. site=ams1; repeat the flag or "
                    + "separate with commas. Searched as site::ams1, without reading the events.")
    private List<String> hecFields = List.of();

    @Option(names = "--hec-routing-file", paramLabel = "FILE",
            description = "Rules by DNS server: lines of an identity (or a pattern with *) and index=, sourcetype=, "
                    + "source=, field.NAME= over the options' values; the first rule that matches the event's host "
                    + "wins. Read again within 2 s when it changes; a file that cannot be used is refused.")
    private Path hecRoutingFile;

    @Option(names = "--hec-concurrency", paramLabel = "N", defaultValue = "" + HecConfig.DEFAULT_CONCURRENCY,
            description = "Requests in flight at once (render, compress and send run on this many threads). "
                    + "Default: ${DEFAULT-VALUE}.")
    private int hecConcurrency;

    @Option(names = "--hec-max-retries", paramLabel = "N", defaultValue = "" + HecConfig.DEFAULT_MAX_RETRIES,
            description = "Failed attempts after which a request counts as one failure for the circuit breaker; it is "
                    + "still retried (data is never dropped for a transient failure). Default: ${DEFAULT-VALUE}.")
    private int hecMaxRetries;

    @Option(names = "--hec-compression-level", paramLabel = "0-9", defaultValue = "" + HecConfig.DEFAULT_COMPRESSION_LEVEL,
            description = "gzip level of requests: 1 is fastest, 9 smallest, 0 sends uncompressed. Default: ${DEFAULT-VALUE}.")
    private int compressionLevel;

    @Option(names = "--hec-retry-base-ms", paramLabel = "MS", defaultValue = "" + HecConfig.DEFAULT_RETRY_BASE_MS,
            description = "First retry delay after a failed request; doubles per failure, with jitter. "
                    + "Default: ${DEFAULT-VALUE}.")
    private long retryBaseMs;

    @Option(names = "--hec-retry-max-ms", paramLabel = "MS", defaultValue = "" + HecConfig.DEFAULT_RETRY_MAX_MS,
            description = "Longest retry delay; also the pace of retries while HEC refuses our token. "
                    + "Default: ${DEFAULT-VALUE}.")
    private long retryMaxMs;

    @Option(names = "--hec-timeout-sec", paramLabel = "SECONDS", defaultValue = "" + HecConfig.DEFAULT_REQUEST_TIMEOUT_SEC,
            description = "Longest time one request to HEC may take, from sending it to the last byte of the answer "
                    + "(the ack queries of --hec-ack too); a request that takes longer is abandoned and sent again. "
                    + "Default: ${DEFAULT-VALUE}.")
    private long requestTimeoutSec;

    @Option(names = "--hec-circuit-breaker", paramLabel = "true|false", defaultValue = "true", arity = "0..1",
            fallbackValue = "true",
            description = "Stop sending to an endpoint that keeps failing, and pause consumption while every endpoint "
                    + "is stopped. Default: ${DEFAULT-VALUE}.")
    private boolean breakerEnabled;

    @Option(names = "--hec-breaker-failure-rate", paramLabel = "PERCENT",
            defaultValue = "" + Breaker.DEFAULT_FAILURE_RATE_PERCENT,
            description = "Share of failed requests among the last --hec-breaker-window that opens the breaker. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int breakerFailureRate;

    @Option(names = "--hec-breaker-window", paramLabel = "REQUESTS", defaultValue = "" + Breaker.DEFAULT_WINDOW,
            description = "Requests the failure rate is taken over. Default: ${DEFAULT-VALUE}.")
    private int breakerWindow;

    @Option(names = "--hec-breaker-open-sec", paramLabel = "SECONDS", defaultValue = "" + Breaker.DEFAULT_OPEN_SECONDS,
            description = "How long an open breaker waits before letting probe requests through. Default: ${DEFAULT-VALUE}.")
    private long breakerOpenSec;

    @Option(names = "--hec-ca-file", paramLabel = "PEM",
            description = "CA certificates (PEM) to verify HEC's certificate with, instead of the JDK's.")
    private Path hecCaFile;

    @Option(names = "--hec-tls-verify", paramLabel = "true|false", defaultValue = "true", arity = "0..1",
            fallbackValue = "true",
            description = "Verify HEC's TLS certificate and host name. false is for tests only, and says so loudly. "
                    + "Default: ${DEFAULT-VALUE}.")
    private boolean tlsVerify;

    @Option(names = "--hec-ack", paramLabel = "true|false", defaultValue = "false", arity = "0..1",
            fallbackValue = "true",
            description = "Use HEC indexer acknowledgement: commit only requests HEC reports indexed, send again those it "
                    + "does not report in time. The token must have indexer acknowledgement on. Default: ${DEFAULT-VALUE}.")
    private boolean ack;

    @Option(names = "--hec-ack-poll-ms", paramLabel = "MS", defaultValue = "" + Ack.DEFAULT_POLL_MS,
            description = "How often HEC is asked which requests are indexed. Default: ${DEFAULT-VALUE}.")
    private long ackPollMs;

    @Option(names = "--hec-ack-timeout-sec", paramLabel = "SECONDS", defaultValue = "" + Ack.DEFAULT_TIMEOUT_SECONDS,
            description = "How long a request may stay unacknowledged before it is sent again. Default: ${DEFAULT-VALUE}.")
    private long ackTimeoutSec;

    @Option(names = "--batch-size", paramLabel = "EVENTS", defaultValue = "" + Batching.DEFAULT_MAX_EVENTS,
            description = "Most events in one HEC request. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Option(names = "--batch-bytes", paramLabel = "BYTES", defaultValue = "" + Batching.DEFAULT_MAX_BYTES,
            description = "Most uncompressed bytes in one HEC request (Splunk Cloud takes at most 1 MB). "
                    + "Default: ${DEFAULT-VALUE}.")
    private long batchBytes;

    @Option(names = "--flush-interval-sec", paramLabel = "SECONDS",
            defaultValue = "" + Batching.DEFAULT_FLUSH_INTERVAL_SECONDS,
            description = "Longest time an event waits for its batch to fill; fractions allowed. Default: ${DEFAULT-VALUE}.")
    private double flushIntervalSec;

    @Option(names = "--kafka-group", paramLabel = "GROUP", defaultValue = ShipperConfig.Kafka.DEFAULT_GROUP,
            description = "Kafka consumer group; shippers in one group share the partitions. Default: ${DEFAULT-VALUE}.")
    private String group;

    @Option(names = "--dlq-topic", paramLabel = "TOPIC", defaultValue = ShipperConfig.Kafka.DEFAULT_DEAD_LETTER_TOPIC,
            description = "Dead-letter topic for events HEC rejects and records that do not decode. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String deadLetterTopic;

    @Option(names = "--dlq-max-percent", paramLabel = "PERCENT", defaultValue = "" + Guards.DEFAULT_DEAD_LETTER_MAX_PERCENT,
            description = "Most of the events, over the last minute, that may go to the dead-letter topic: above it, "
                    + "dead-lettering pauses a minute at a time and /ready says why, so that a misconfiguration (a wrong "
                    + "index, a proxy) does not empty the stream there. 100 never pauses. Default: ${DEFAULT-VALUE}.")
    private int deadLetterMaxPercent;

    @Option(names = "--max-unsettled-sec", paramLabel = "SECONDS", defaultValue = "" + Guards.DEFAULT_MAX_UNSETTLED_SECONDS,
            description = "How long a batch may wait for delivery before /ready answers 503 naming its partition. "
                    + "Default: ${DEFAULT-VALUE}.")
    private long maxUnsettledSec;

    @Option(names = "--transactions", paramLabel = "true|false", defaultValue = "false", arity = "0..1",
            description = "One event per DNS transaction: each query paired with its response (transaction=paired, "
                    + "with duration), a query unanswered within --transaction-window-ms (transaction=unanswered), a "
                    + "response whose query never came (transaction=response_only). Needs the collector's "
                    + "--partition-key transaction. Default: ${DEFAULT-VALUE}.")
    private boolean transactions;

    @Option(names = "--transaction-window-ms", paramLabel = "MS",
            defaultValue = "" + PairingSettings.DEFAULT_WINDOW_MS,
            description = "How long a query waits for its response before it is sent as unanswered, in the time the "
                    + "collector stamped the records. Default: ${DEFAULT-VALUE} (BIND's resolver-query-timeout; a stub "
                    + "resolver gives up after 2 x 5 s).")
    private long transactionWindowMs;

    @Option(names = "--transaction-max-pending", paramLabel = "N",
            defaultValue = "" + PairingSettings.DEFAULT_MAX_PENDING,
            description = "Most queries and responses waiting for their partner at once; past it the oldest are sent "
                    + "unpaired and counted (dnstap_shipper_transactions_evicted_total). Default: ${DEFAULT-VALUE}.")
    private int transactionMaxPending;

    @Option(names = "--shipper-id", paramLabel = "ID", description = "Name of this shipper. Default: the host name.")
    private String shipperId;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./data",
            description = "Directory for local data: events.jsonl without --hec-url; the embedded Kafka in standalone. "
                    + "Default: ${DEFAULT-VALUE}.")
    private Path dataDir;

    @Mixin
    private ShapingOptions shaping;

    public Path dataDir() {
        return dataDir;
    }

    /** The configuration of a tool (replay, redrive, tap): no ops endpoint, no performance log. */
    public ShipperConfig toConfig(KafkaOptions kafka, HostPort monitoring) {
        return toConfig(kafka, monitoring, Duration.ZERO);
    }

    /**
     * @param monitoring the ops endpoint, or {@code null}
     * @param performanceLog how often to log a line of rates; zero for never
     */
    public ShipperConfig toConfig(KafkaOptions kafka, HostPort monitoring, Duration performanceLog) {
        if (hecTokenFile != null && !Files.isReadable(hecTokenFile)) {
            throw ConfigException.invalid("--hec-token-file", hecTokenFile, "is not a readable file");
        }
        if (hecCaFile != null && !Files.isReadable(hecCaFile)) {
            throw ConfigException.invalid("--hec-ca-file", hecCaFile, "is not a readable file");
        }
        HecConfig hec = HecConfig.builder().urls(parseUrls()).token(hecToken).tokenFile(hecTokenFile)
                .index(blankToNull(hecIndex))
                .sourcetype(hecSourcetype).concurrency(hecConcurrency).maxRetries(hecMaxRetries)
                .compressionLevel(compressionLevel).retries(Duration.ofMillis(retryBaseMs), Duration.ofMillis(retryMaxMs))
                .breaker(new Breaker(breakerEnabled, breakerFailureRate, breakerWindow, Duration.ofSeconds(breakerOpenSec)))
                .tls(new HecConfig.Tls(hecCaFile, tlsVerify))
                .ack(new Ack(ack, Duration.ofMillis(ackPollMs), Duration.ofSeconds(ackTimeoutSec)))
                .requestTimeout(Duration.ofSeconds(requestTimeoutSec))
                .source(hecSource).fields(parseFields()).routingFile(hecRoutingFile).build();
        return new ShipperConfig(shipperId != null ? shipperId : ServiceInfo.localHostName(), hec,
                new Batching(batchSize, batchBytes, Duration.ofNanos((long) (flushIntervalSec * 1e9))),
                new ShipperConfig.Kafka(kafka.bootstrap(), kafka.topic(), group, deadLetterTopic, kafka.properties()),
                dataDir, monitoring, performanceLog,
                new Guards(deadLetterMaxPercent, Duration.ofSeconds(maxUnsettledSec)), shaping.toShaping(),
                new PairingSettings(transactions, Duration.ofMillis(transactionWindowMs), transactionMaxPending));
    }

    private Map<String, String> parseFields() {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String field : hecFields) {
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw ConfigException.invalid("--hec-field", field, "must be NAME=VALUE, e.g. site=ams1");
            }
            fields.put(field.substring(0, equals).strip(), field.substring(equals + 1).strip());
        }
        return fields;
    }

    private List<URI> parseUrls() {
        List<URI> urls = new ArrayList<>();
        for (String text : hecUrls) {
            if (text == null || text.isBlank()) {
                continue;
            }
            String shown = withoutCredentials(text.trim());
            try {
                URI url = new URI(text.trim());
                if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                    throw ConfigException.invalid("--hec-url", shown, "must be an http:// or https:// URL with a host");
                }
                if (url.getRawUserInfo() != null) {
                    throw ConfigException.invalid("--hec-url", shown, "has credentials in it (user@ or user:password@); "
                            + "HEC takes a token: give it with --hec-token or --hec-token-file");
                }
                if (url.getRawQuery() != null || url.getRawFragment() != null) {
                    throw ConfigException.invalid("--hec-url", withoutQuery(shown), "must be HEC's base URL "
                            + "(https://splunk.example.com:8088), without a query or fragment (not shown: it may hold a token)");
                }
                urls.add(url);
            } catch (URISyntaxException e) {
                throw ConfigException.invalid("--hec-url", withoutQuery(shown), "is not a URL");
            }
        }
        return urls;
    }

    /** The URL as it may be shown: whatever stands before an {@code @} in its authority replaced. */
    static String withoutCredentials(String url) {
        return url.replaceFirst("^([^:/?#]*://)[^/?#]*@", "$1(credentials not shown)@");
    }

    private static String withoutQuery(String url) {
        int cut = url.indexOf('?');
        int fragment = url.indexOf('#');
        cut = cut < 0 ? fragment : fragment < 0 ? cut : Math.min(cut, fragment);
        return cut < 0 ? url : url.substring(0, cut) + "...";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
