package io.dnstapforwarder.collector;

import io.dnstapforwarder.config.HostPort;
import java.nio.file.Path;
import java.util.Map;

/**
 * The collector's validated configuration.
 *
 * @param collectorId written into every event (default: the host name)
 * @param socketPath Unix socket to listen on, or {@code null}
 * @param tcpListen TCP address to listen on, or {@code null}
 * @param maxFrameBytes largest dnstap frame accepted; a larger one closes its connection
 * @param kafkaBootstrap Kafka bootstrap servers
 * @param topic the topic events are published to
 * @param kafkaProperties producer properties passed through
 * @param monitoring the ops endpoint, or {@code null} when monitoring is off
 */
public record CollectorConfig(String collectorId, Path socketPath, HostPort tcpListen, int maxFrameBytes,
        String kafkaBootstrap, String topic, Map<String, String> kafkaProperties, HostPort monitoring) {

    /** Largest frame accepted by default: a query and a response of 64 KiB each fit with room to spare. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 256 * 1024;

    public CollectorConfig {
        kafkaProperties = Map.copyOf(kafkaProperties);
    }
}
