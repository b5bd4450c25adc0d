package io.dnstapforwarder.shipper;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.ops.ServiceInfo;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The shipper's own options; shared by the {@code shipper} and {@code standalone} commands. */
public final class ShipperOptions {

    @Option(names = "--hec-url", paramLabel = "URL",
            description = "Splunk HEC base URL, e.g. https://splunk:8088. Without it, events are written as JSON lines "
                    + "to <data dir>/events.jsonl.")
    private String hecUrl;

    @Option(names = "--hec-token", paramLabel = "TOKEN", description = "Splunk HEC token. Never logged.")
    private String hecToken;

    @Option(names = "--hec-index", paramLabel = "INDEX",
            description = "Splunk index for the events. Default: the token's default index.")
    private String hecIndex;

    @Option(names = "--hec-sourcetype", paramLabel = "SOURCETYPE", defaultValue = "dnstap",
            description = "Splunk sourcetype of the events. Default: ${DEFAULT-VALUE}.")
    private String hecSourcetype;

    @Option(names = "--batch-size", paramLabel = "EVENTS", defaultValue = "1000",
            description = "Most events in one HEC request. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Option(names = "--batch-bytes", paramLabel = "BYTES", defaultValue = "1000000",
            description = "Most uncompressed bytes in one HEC request (Splunk Cloud takes at most 1 MB). "
                    + "Default: ${DEFAULT-VALUE}.")
    private long batchBytes;

    @Option(names = "--flush-interval-sec", paramLabel = "SECONDS", defaultValue = "1",
            description = "Longest time an event waits for its batch to fill; fractions allowed. Default: ${DEFAULT-VALUE}.")
    private double flushIntervalSec;

    @Option(names = "--hec-retry-base-ms", paramLabel = "MS", defaultValue = "200",
            description = "First retry delay after a failed request; doubles per failure, with jitter. "
                    + "Default: ${DEFAULT-VALUE}.")
    private long retryBaseMs;

    @Option(names = "--hec-retry-max-ms", paramLabel = "MS", defaultValue = "30000",
            description = "Longest retry delay. Default: ${DEFAULT-VALUE}.")
    private long retryMaxMs;

    @Option(names = "--kafka-group", paramLabel = "GROUP", defaultValue = "dnstap-shipper",
            description = "Kafka consumer group; shippers in one group share the partitions. Default: ${DEFAULT-VALUE}.")
    private String group;

    @Option(names = "--dlq-topic", paramLabel = "TOPIC", defaultValue = "dnstap.dlq",
            description = "Dead-letter topic for events HEC rejects and records that do not decode. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String deadLetterTopic;

    @Option(names = "--shipper-id", paramLabel = "ID", description = "Name of this shipper. Default: the host name.")
    private String shipperId;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./data",
            description = "Directory for local data: events.jsonl without --hec-url; the embedded Kafka in standalone. "
                    + "Default: ${DEFAULT-VALUE}.")
    private Path dataDir;

    public Path dataDir() {
        return dataDir;
    }

    public ShipperConfig toConfig(KafkaOptions kafka, HostPort monitoring) {
        URI url = parseUrl();
        if (url != null && (hecToken == null || hecToken.isBlank())) {
            throw new ConfigException("--hec-token (DNSTAP_HEC_TOKEN) is required when --hec-url is set");
        }
        if (batchSize < 1) {
            throw ConfigException.invalid("--batch-size", batchSize, "must be at least 1");
        }
        if (batchBytes < 1024) {
            throw ConfigException.invalid("--batch-bytes", batchBytes, "must be at least 1024");
        }
        if (!(flushIntervalSec > 0 && flushIntervalSec <= 3600)) {
            throw ConfigException.invalid("--flush-interval-sec", flushIntervalSec, "must be above 0 and at most 3600");
        }
        if (retryBaseMs < 1 || retryMaxMs < retryBaseMs) {
            throw ConfigException.invalid("--hec-retry-max-ms", retryMaxMs,
                    "must be at least --hec-retry-base-ms (" + retryBaseMs + "), which must be at least 1");
        }
        return new ShipperConfig(shipperId != null ? shipperId : ServiceInfo.localHostName(), url, hecToken,
                blankToNull(hecIndex), hecSourcetype, batchSize, batchBytes,
                Duration.ofNanos((long) (flushIntervalSec * 1e9)), Duration.ofMillis(retryBaseMs),
                Duration.ofMillis(retryMaxMs), kafka.bootstrap(), kafka.topic(), group, deadLetterTopic,
                kafka.properties(), dataDir, monitoring);
    }

    private URI parseUrl() {
        if (hecUrl == null || hecUrl.isBlank()) {
            return null;
        }
        try {
            URI url = new URI(hecUrl.trim());
            if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw ConfigException.invalid("--hec-url", hecUrl, "must be an http:// or https:// URL with a host");
            }
            return url;
        } catch (URISyntaxException e) {
            throw ConfigException.invalid("--hec-url", hecUrl, "is not a URL: " + e.getReason());
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
