package io.dnstapforwarder.collector;

import io.dnstapforwarder.collector.CollectorConfig.Limits;
import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.net.Network;
import io.dnstapforwarder.ops.ServiceInfo;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The collector's own options; shared by the {@code collector} and {@code standalone} commands. */
public final class CollectorOptions {

    /** Value of {@code --tcp-listen} that turns the TCP listener off. */
    public static final String OFF = "off";

    @Option(names = "--socket-path", paramLabel = "PATH",
            description = "Unix socket to accept dnstap on. Default: none (standalone: <data dir>/dnstap.sock).")
    private Path socketPath;

    @Option(names = "--socket-mode", paramLabel = "OCTAL",
            description = "Permissions of the Unix socket file, e.g. 0660 so that the DNS server's group may connect. "
                    + "Default: as the umask leaves them.")
    private String socketMode;

    @Option(names = "--tcp-listen", paramLabel = "HOST:PORT|off",
            description = "TCP address to accept dnstap on, or 'off'. Default: " + CollectorConfig.Listen.DEFAULT_TCP
                    + " (standalone: 127.0.0.1:6000).")
    private String tcpListen;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "Certificate chain (PEM) of the TCP listener: with --tls-key, the TCP listener speaks TLS.")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key (PEM, unencrypted) for --tls-cert.")
    private Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "PEM",
            description = "CA certificates (PEM): clients must present a certificate one of them signed (mutual TLS).")
    private Path tlsClientCa;

    @Option(names = "--tls-require-identity-match", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            description = "With --tls-client-ca: every frame's dnstap identity (Splunk's host) must be a name of the "
                    + "sender's client certificate (a CN of its subject or a DNS subject alternative name); a frame that "
                    + "is not closes its connection, counted as identity_mismatch. Default: false.")
    private boolean tlsRequireIdentityMatch;

    @Option(names = "--allow-from", paramLabel = "CIDR", split = ",",
            description = "Networks TCP and TLS senders may connect from, e.g. 10.0.53.0/24,2001:db8::/32; a sender "
                    + "outside them is closed at once, before it takes a connection slot, with a counter. Repeat the flag "
                    + "or separate with commas. Default: any.")
    private List<String> allowFrom = new ArrayList<>();

    @Option(names = "--collector-id", paramLabel = "ID",
            description = "Name of this collector, written into every event. Default: the host name.")
    private String collectorId;

    @Option(names = "--partition-key", paramLabel = "none|transaction", defaultValue = "none",
            description = "Key of each Kafka record, which decides its partition: none (Kafka fills one partition's "
                    + "batch at a time, the cheapest) or transaction (a DNS query and its response on one partition, "
                    + "so that every shipper of a group can pair them; flat out, about half the collector's "
                    + "throughput). Default: ${DEFAULT-VALUE}.")
    private String partitionKey;

    @Option(names = "--max-frame-bytes", paramLabel = "BYTES", defaultValue = "" + Limits.DEFAULT_MAX_FRAME_BYTES,
            description = "Largest dnstap frame accepted; a larger one closes its connection. Default: ${DEFAULT-VALUE}.")
    private int maxFrameBytes;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + Limits.DEFAULT_MAX_CONNECTIONS,
            description = "Connections open at once; one more is closed at once, with a log line and a counter. "
                    + "Default: ${DEFAULT-VALUE}.")
    private int maxConnections;

    @Option(names = "--max-connections-per-sender", paramLabel = "N",
            defaultValue = "" + Limits.DEFAULT_MAX_CONNECTIONS_PER_SENDER,
            description = "TCP and TLS connections one address may have open at once (one more is closed at once, with "
                    + "a log line and a counter), so that no sender takes every slot; 0 for no cap. Default: ${DEFAULT-VALUE}.")
    private int maxConnectionsPerSender;

    @Option(names = "--publish-buffer-bytes", paramLabel = "BYTES",
            defaultValue = "" + Limits.DEFAULT_PUBLISH_BUFFER_BYTES,
            description = "Memory that frames read from DNS servers and not yet acknowledged by Kafka may take (their "
                    + "bytes plus about 300 bytes each of bookkeeping). At the limit the collector stops reading sockets "
                    + "until Kafka catches up. Default: ${DEFAULT-VALUE} (16 MiB).")
    private int publishBufferBytes;

    @Option(names = "--max-latency-ms", paramLabel = "MS", defaultValue = "" + Limits.DEFAULT_MAX_LATENCY_MS,
            description = "Longest a frame waits for others to share its request to Kafka (the producer's linger). "
                    + "At a DNS server's pace, more costs less CPU in the collector and the broker; flat out, requests "
                    + "fill before it. Default: ${DEFAULT-VALUE}.")
    private long maxLatencyMs;

    @Option(names = "--connection-timeout-sec", paramLabel = "SECONDS",
            defaultValue = "" + Limits.DEFAULT_IDLE_TIMEOUT_SECONDS,
            description = "A connection that sends nothing for this long is closed (time spent waiting for Kafka does "
                    + "not count). Default: ${DEFAULT-VALUE}.")
    private long connectionTimeoutSec;

    @Option(names = "--read-timeout-sec", paramLabel = "SECONDS", defaultValue = "" + Limits.DEFAULT_READ_TIMEOUT_SECONDS,
            description = "A frame begun but not finished within this closes its connection. Default: ${DEFAULT-VALUE}.")
    private long readTimeoutSec;

    @Option(names = "--start-timeout-sec", paramLabel = "SECONDS",
            defaultValue = "" + Limits.DEFAULT_START_TIMEOUT_SECONDS,
            description = "A connection that has not sent its Frame Streams START this long after it was accepted (the "
                    + "TLS handshake included) is closed. Until READY or START, a connection does not take one of "
                    + "--max-connections. Default: ${DEFAULT-VALUE}.")
    private long startTimeoutSec;

    @Option(names = "--max-latency-samples", paramLabel = "N",
            defaultValue = "" + CollectorConfig.Monitoring.DEFAULT_MAX_LATENCY_SAMPLES,
            description = "Recent Kafka publish latencies kept for the percentiles in /stats. Default: ${DEFAULT-VALUE}.")
    private int maxLatencySamples;

    /**
     * The configuration, with the given defaults where options were not set.
     *
     * @param defaultSocketPath socket path when none is set, or {@code null} for no Unix listener
     * @param defaultTcpListen TCP address when none is set
     * @param monitoring the ops endpoint, or {@code null}
     * @param performanceLog how often to log a line of rates; zero for never
     */
    public CollectorConfig toConfig(KafkaOptions kafka, Path defaultSocketPath, String defaultTcpListen,
            HostPort monitoring, Duration performanceLog) {
        Path socket = socketPath != null ? socketPath : defaultSocketPath;
        HostPort tcp = parseTcpListen(tcpListen != null ? tcpListen : defaultTcpListen);
        return new CollectorConfig(collectorId != null ? collectorId : ServiceInfo.localHostName(),
                new CollectorConfig.Listen(socket, parseMode(socketMode), tcp, tls(),
                        allowFrom.stream().map(cidr -> Network.parse("--allow-from", cidr)).toList()),
                new Limits(maxConnections, maxFrameBytes, Duration.ofSeconds(connectionTimeoutSec),
                        Duration.ofSeconds(readTimeoutSec), publishBufferBytes, Duration.ofMillis(maxLatencyMs),
                        maxConnectionsPerSender, Duration.ofSeconds(startTimeoutSec)),
                kafka.bootstrap(), kafka.topic(), kafka.properties(),
                new CollectorConfig.Monitoring(monitoring, maxLatencySamples, performanceLog), parsePartitionKey());
    }

    private PartitionKey parsePartitionKey() {
        return switch (partitionKey.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> PartitionKey.NONE;
            case "transaction" -> PartitionKey.TRANSACTION;
            default -> throw ConfigException.invalid("--partition-key", partitionKey, "must be none or transaction");
        };
    }

    private CollectorConfig.Tls tls() {
        return tlsCert == null && tlsKey == null && tlsClientCa == null && !tlsRequireIdentityMatch ? null
                : new CollectorConfig.Tls(tlsCert, tlsKey, tlsClientCa, tlsRequireIdentityMatch);
    }

    private static HostPort parseTcpListen(String value) {
        if (value == null || value.equalsIgnoreCase(OFF)) {
            return null;
        }
        try {
            return HostPort.parse(value);
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid("--tcp-listen", value, e.getMessage());
        }
    }

    /** {@code 0660} as permissions; only read and write bits make sense for a socket. */
    static Set<PosixFilePermission> parseMode(String octal) {
        if (octal == null) {
            return null;
        }
        if (!octal.matches("0?[0-7]{3}")) {
            throw ConfigException.invalid("--socket-mode", octal, "must be an octal mode such as 0660");
        }
        int mode = Integer.parseInt(octal, 8);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < bits.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                permissions.add(bits[bit]);
            }
        }
        return permissions;
    }
}
