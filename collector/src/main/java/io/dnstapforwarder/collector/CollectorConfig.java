package io.dnstapforwarder.collector;

import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.config.Require;
import io.dnstapforwarder.net.Network;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The collector's configuration. Each record declares its defaults (the options read them from
 * here) and validates itself when built: a value that cannot work is a {@link ConfigException}
 * naming the option, and nothing is clamped.
 *
 * @param collectorId written into every event (default: the host name)
 * @param kafkaBootstrap Kafka bootstrap servers
 * @param topic the topic events are published to
 * @param kafkaProperties producer properties passed through
 * @param partitionKey the key of each Kafka record, which decides its partition
 */
public record CollectorConfig(String collectorId, Listen listen, Limits limits, String kafkaBootstrap, String topic,
        Map<String, String> kafkaProperties, Monitoring monitoring, PartitionKey partitionKey) {

    /** What a frame's envelope and record add to it, at most: ids, peer, times, header, batch overhead. */
    static final int ENVELOPE_BYTES = 1024;

    public CollectorConfig {
        kafkaProperties = Map.copyOf(kafkaProperties);
        Objects.requireNonNull(partitionKey, "partitionKey");
        if (listen.socketPath() == null && listen.tcp() == null) {
            throw new ConfigException("No listener: set --socket-path (DNSTAP_SOCKET_PATH) or --tcp-listen "
                    + "(DNSTAP_TCP_LISTEN)");
        }
        long maxRequest = maxRequestSize(kafkaProperties);
        if (limits.maxFrameBytes() + (long) ENVELOPE_BYTES > maxRequest) {
            throw ConfigException.invalid("--max-frame-bytes", limits.maxFrameBytes(), "with its envelope ("
                    + ENVELOPE_BYTES + " bytes) does not fit the Kafka producer's max.request.size (" + maxRequest
                    + "): such a frame could never be published. Lower it, or raise max.request.size with "
                    + "--kafka-property (and the topic's max.message.bytes)");
        }
    }

    /** The producer's largest request: what {@code --kafka-property} sets, else Kafka's default. */
    private static long maxRequestSize(Map<String, String> kafkaProperties) {
        String configured = kafkaProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (configured == null) {
            return 1024 * 1024; // ProducerConfig's default
        }
        try {
            return Long.parseLong(configured.trim());
        } catch (NumberFormatException e) {
            throw ConfigException.invalid("--kafka-property", ProducerConfig.MAX_REQUEST_SIZE_CONFIG + "=" + configured,
                    "is not a number of bytes");
        }
    }

    /**
     * Where DNS servers connect.
     *
     * @param socketPath Unix socket, or {@code null}
     * @param socketMode permissions of the socket file, or {@code null} to leave them to the umask
     * @param tcp TCP address, or {@code null}
     * @param tls TLS on the TCP listener, or {@code null} for plain TCP
     * @param allowFrom the networks TCP and TLS senders may connect from; empty for any. A sender
     *     outside them is closed at once, before it takes a connection slot
     */
    public record Listen(Path socketPath, Set<PosixFilePermission> socketMode, HostPort tcp, Tls tls,
            List<Network> allowFrom) {

        /** The collector's TCP address; the standalone listens on loopback only. */
        public static final String DEFAULT_TCP = "0.0.0.0:6000";

        public Listen {
            if (tls != null && tcp == null) {
                throw new ConfigException("TLS is for the TCP listener, which is off: set --tcp-listen (DNSTAP_TCP_LISTEN)");
            }
            allowFrom = List.copyOf(allowFrom);
        }

        /** Senders from anywhere. */
        public Listen(Path socketPath, Set<PosixFilePermission> socketMode, HostPort tcp, Tls tls) {
            this(socketPath, socketMode, tcp, tls, List.of());
        }

        public static Listen unix(Path socketPath) {
            return new Listen(socketPath, null, null, null);
        }

        public static Listen unixAndTcp(Path socketPath, HostPort tcp) {
            return new Listen(socketPath, null, tcp, null);
        }

        public static Listen tls(HostPort tcp, Tls tls) {
            return new Listen(null, null, tcp, tls);
        }
    }

    /**
     * TLS on the TCP listener, from PEM files.
     *
     * @param certificate the server's certificate chain
     * @param key its private key
     * @param clientCa when set, clients must present a certificate signed by one of these CAs (mutual TLS)
     * @param requireIdentityMatch every frame's dnstap identity must be a name of the client
     *     certificate (a CN of its subject or a DNS subject alternative name)
     */
    public record Tls(Path certificate, Path key, Path clientCa, boolean requireIdentityMatch) {

        public Tls {
            if (certificate == null || key == null) {
                throw new ConfigException("TLS needs both --tls-cert (DNSTAP_TLS_CERT) and --tls-key (DNSTAP_TLS_KEY)");
            }
            if (requireIdentityMatch && clientCa == null) {
                throw new ConfigException("--tls-require-identity-match (DNSTAP_TLS_REQUIRE_IDENTITY_MATCH) needs client "
                        + "certificates: set --tls-client-ca (DNSTAP_TLS_CLIENT_CA) too");
            }
        }

        public Tls(Path certificate, Path key, Path clientCa) {
            this(certificate, key, clientCa, false);
        }
    }

    /**
     * What one DNS server may cost the collector.
     *
     * @param maxConnections connections open at once; one more is closed at once
     * @param maxFrameBytes largest dnstap frame; a larger one closes its connection
     * @param idleTimeout a connection that sends nothing for this long is closed
     * @param readTimeout a frame begun but not finished within this is closed
     * @param publishBufferBytes heap that events read and not yet acknowledged by Kafka may take,
     *     at most; at the limit, connections stop being read until Kafka catches up
     * @param maxLatency the longest a frame waits for others to share its request to Kafka: more
     *     saves CPU at low rates (fewer, fuller requests), less delivers sooner
     * @param maxConnectionsPerSender TCP and TLS connections one address may have open at once, so
     *     that one sender cannot take every slot; 0 for no cap
     * @param startTimeout a connection that has not sent its Frame Streams START this long after
     *     it was accepted (TLS handshake included) is closed
     */
    public record Limits(int maxConnections, int maxFrameBytes, Duration idleTimeout, Duration readTimeout,
            int publishBufferBytes, Duration maxLatency, int maxConnectionsPerSender, Duration startTimeout) {

        public static final int DEFAULT_MAX_CONNECTIONS = 200;
        /** A query and a response of 64 KiB each fit in a frame with room to spare. */
        public static final int DEFAULT_MAX_FRAME_BYTES = 256 * 1024;
        public static final long DEFAULT_IDLE_TIMEOUT_SECONDS = 300;
        public static final long DEFAULT_READ_TIMEOUT_SECONDS = 30;
        public static final int DEFAULT_PUBLISH_BUFFER_BYTES = 16 * 1024 * 1024;
        public static final long DEFAULT_MAX_LATENCY_MS = 100;
        /** A DNS server opens one connection per dnstap writer; a few dozen leaves room and no monopoly. */
        public static final int DEFAULT_MAX_CONNECTIONS_PER_SENDER = 32;
        /** DNS servers send READY or START as they connect; ten seconds leaves a slow TLS handshake room. */
        public static final long DEFAULT_START_TIMEOUT_SECONDS = 10;
        public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_FRAME_BYTES,
                Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECONDS), Duration.ofSeconds(DEFAULT_READ_TIMEOUT_SECONDS),
                DEFAULT_PUBLISH_BUFFER_BYTES, Duration.ofMillis(DEFAULT_MAX_LATENCY_MS), DEFAULT_MAX_CONNECTIONS_PER_SENDER,
                Duration.ofSeconds(DEFAULT_START_TIMEOUT_SECONDS));

        public Limits {
            Require.atLeast("--max-connections", maxConnections, 1);
            Require.between("--max-frame-bytes", maxFrameBytes, 512, 64 * 1024 * 1024, "must be between 512 and 67108864");
            Require.atLeast("--connection-timeout-sec", idleTimeout.toSeconds(), 1);
            Require.atLeast("--read-timeout-sec", readTimeout.toSeconds(), 1);
            Require.between("--max-latency-ms", maxLatency.toMillis(), 0, 5_000, "must be between 0 and 5000");
            Require.atLeast("--max-connections-per-sender", maxConnectionsPerSender, 0);
            Require.between("--start-timeout-sec", startTimeout.toSeconds(), 1, 300, "must be between 1 and 300");
            if (publishBufferBytes < maxFrameBytes + 64) {
                throw ConfigException.invalid("--publish-buffer-bytes", publishBufferBytes,
                        "must hold at least one frame of --max-frame-bytes (" + maxFrameBytes + ") and its envelope");
            }
        }

        public Limits withMaxConnections(int max) {
            return new Limits(max, maxFrameBytes, idleTimeout, readTimeout, publishBufferBytes, maxLatency,
                    maxConnectionsPerSender, startTimeout);
        }

        public Limits withMaxFrameBytes(int max) {
            return new Limits(maxConnections, max, idleTimeout, readTimeout, publishBufferBytes, maxLatency,
                    maxConnectionsPerSender, startTimeout);
        }

        public Limits withTimeouts(Duration idle, Duration read) {
            return new Limits(maxConnections, maxFrameBytes, idle, read, publishBufferBytes, maxLatency,
                    maxConnectionsPerSender, startTimeout);
        }

        public Limits withMaxLatency(Duration latency) {
            return new Limits(maxConnections, maxFrameBytes, idleTimeout, readTimeout, publishBufferBytes, latency,
                    maxConnectionsPerSender, startTimeout);
        }

        public Limits withMaxConnectionsPerSender(int max) {
            return new Limits(maxConnections, maxFrameBytes, idleTimeout, readTimeout, publishBufferBytes, maxLatency,
                    max, startTimeout);
        }

        public Limits withStartTimeout(Duration timeout) {
            return new Limits(maxConnections, maxFrameBytes, idleTimeout, readTimeout, publishBufferBytes, maxLatency,
                    maxConnectionsPerSender, timeout);
        }

        public Limits withPublishBufferBytes(int bytes) {
            return new Limits(maxConnections, maxFrameBytes, idleTimeout, readTimeout, bytes, maxLatency,
                    maxConnectionsPerSender, startTimeout);
        }
    }

    /**
     * The ops endpoint and the numbers it keeps.
     *
     * @param endpoint where /health, /ready, /metrics and /stats are served, or {@code null}
     * @param maxLatencySamples publish latencies kept for the percentiles in /stats
     * @param performanceLogInterval a performance line is logged this often; zero for never
     */
    public record Monitoring(HostPort endpoint, int maxLatencySamples, Duration performanceLogInterval) {

        public static final int DEFAULT_MAX_LATENCY_SAMPLES = 10_000;

        public Monitoring {
            Require.between("--max-latency-samples", maxLatencySamples, 1, 10_000_000, "must be between 1 and 10000000");
        }

        public static Monitoring at(HostPort endpoint) {
            return new Monitoring(endpoint, DEFAULT_MAX_LATENCY_SAMPLES, Duration.ZERO);
        }
    }
}
