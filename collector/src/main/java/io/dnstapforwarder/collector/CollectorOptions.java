package io.dnstapforwarder.collector;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.ops.ServiceInfo;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The collector's own options; shared by the {@code collector} and {@code standalone} commands. */
public final class CollectorOptions {

    /** Value of {@code --tcp-listen} that turns the TCP listener off. */
    public static final String OFF = "off";

    @Option(names = "--socket-path", paramLabel = "PATH",
            description = "Unix socket to accept dnstap on. Default: none (standalone: <data dir>/dnstap.sock).")
    private Path socketPath;

    @Option(names = "--tcp-listen", paramLabel = "HOST:PORT|off",
            description = "TCP address to accept dnstap on, or 'off'. Default: 0.0.0.0:6000 (standalone: 127.0.0.1:6000).")
    private String tcpListen;

    @Option(names = "--collector-id", paramLabel = "ID",
            description = "Name of this collector, written into every event. Default: the host name.")
    private String collectorId;

    @Option(names = "--max-frame-bytes", paramLabel = "BYTES",
            description = "Largest dnstap frame accepted; a larger one closes its connection. Default: "
                    + CollectorConfig.DEFAULT_MAX_FRAME_BYTES + ".")
    private Integer maxFrameBytes;

    /**
     * The configuration, with the given defaults where options were not set.
     *
     * @param defaultSocketPath socket path when none is set, or {@code null} for no Unix listener
     * @param defaultTcpListen TCP address when none is set
     * @param monitoring the ops endpoint, or {@code null}
     */
    public CollectorConfig toConfig(KafkaOptions kafka, Path defaultSocketPath, String defaultTcpListen,
            HostPort monitoring) {
        Path socket = socketPath != null ? socketPath : defaultSocketPath;
        HostPort tcp = parseTcpListen(tcpListen != null ? tcpListen : defaultTcpListen);
        if (socket == null && tcp == null) {
            throw new ConfigException("No listener: set --socket-path (DNSTAP_SOCKET_PATH) or --tcp-listen (DNSTAP_TCP_LISTEN)");
        }
        int maxFrame = maxFrameBytes != null ? maxFrameBytes : CollectorConfig.DEFAULT_MAX_FRAME_BYTES;
        if (maxFrame < 512 || maxFrame > 64 * 1024 * 1024) {
            throw ConfigException.invalid("--max-frame-bytes", maxFrame, "must be between 512 and 67108864");
        }
        return new CollectorConfig(collectorId != null ? collectorId : ServiceInfo.localHostName(), socket, tcp, maxFrame,
                kafka.bootstrap(), kafka.topic(), kafka.properties(), monitoring);
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
}
