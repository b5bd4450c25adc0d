package io.dnstapforwarder.shipper;

import io.dnstapforwarder.config.HostPort;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The shipper's validated configuration.
 *
 * @param hecUrl HEC base URL, or {@code null} to write events to {@code <dataDir>/events.jsonl}
 * @param hecToken the HEC token (never logged)
 * @param hecIndex index for every event, or {@code null} for the token's default
 * @param batchBytes most uncompressed bytes in one request
 */
public record ShipperConfig(String shipperId, URI hecUrl, String hecToken, String hecIndex, String hecSourcetype,
        int batchSize, long batchBytes, Duration flushInterval, Duration retryBase, Duration retryMax,
        String kafkaBootstrap, String topic, String group, String deadLetterTopic, Map<String, String> kafkaProperties,
        Path dataDir, HostPort monitoring) {

    public ShipperConfig {
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    /** Where events go without a HEC URL. */
    public Path eventsFile() {
        return dataDir.resolve("events.jsonl");
    }

    @Override
    public String toString() {
        return "ShipperConfig[shipperId=" + shipperId + ", hecUrl=" + hecUrl + ", hecToken=********, topic=" + topic + "]";
    }
}
