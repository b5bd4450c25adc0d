package io.dnstapforwarder.config;

import picocli.CommandLine.Option;

/** Options of the ops HTTP endpoint (health, readiness, metrics, stats) and of performance logging. */
public final class MonitoringOptions {

    @Option(names = "--enable-monitoring", paramLabel = "true|false", defaultValue = "true", arity = "1",
            description = "Serve /, /health, /ready, /metrics and /stats over HTTP. Default: ${DEFAULT-VALUE}.")
    private boolean enabled;

    @Option(names = "--monitoring-address", paramLabel = "ADDRESS",
            description = "Address the ops endpoint listens on. Default: 0.0.0.0 (standalone: 127.0.0.1).")
    private String address;

    @Option(names = "--monitoring-port", paramLabel = "PORT",
            description = "Port of the ops endpoint. Default: collector 8080, shipper 8081; standalone: the collector "
                    + "takes this port and the shipper the next one.")
    private Integer port;

    @Option(names = "--performance-logging", paramLabel = "SECONDS", defaultValue = "0",
            description = "Log a line with rates and latencies every this many seconds; 0 for never. "
                    + "Default: ${DEFAULT-VALUE}.")
    private long performanceLoggingSec;

    /** How often to log a line of rates; zero for never. */
    public java.time.Duration performanceLogInterval() {
        if (performanceLoggingSec < 0) {
            throw ConfigException.invalid("--performance-logging", performanceLoggingSec, "must be 0 (off) or more");
        }
        return java.time.Duration.ofSeconds(performanceLoggingSec);
    }

    /** The endpoint to listen on, or {@code null} when monitoring is off. */
    public HostPort endpoint(String defaultAddress, int defaultPort) {
        if (!enabled) {
            return null;
        }
        int chosen = port != null ? port : defaultPort;
        if (chosen < 0 || chosen > 65535) {
            throw ConfigException.invalid("--monitoring-port", chosen, "must be a port number, 0..65535");
        }
        return new HostPort(address != null ? address : defaultAddress, chosen);
    }
}
