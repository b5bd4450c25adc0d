package io.dnstapforwarder.config;

import picocli.CommandLine.Option;

/** Options of the ops HTTP endpoint (health, readiness, metrics, stats) and of performance logging. */
public final class MonitoringOptions {

    @Option(names = "--enable-monitoring", paramLabel = "true|false", defaultValue = "true", arity = "0..1",
            fallbackValue = "true",
            description = "Serve /, /health, /ready, /metrics and /stats over HTTP. Default: ${DEFAULT-VALUE}.")
    private boolean enabled;

    @Option(names = "--monitoring-address", paramLabel = "ADDRESS",
            description = "Address the ops endpoint listens on. Default: 0.0.0.0 (standalone: 127.0.0.1).")
    private String address;

    @Option(names = "--monitoring-port", paramLabel = "PORT",
            description = "Port of the ops endpoint. Default: collector 8080, shipper 8081; standalone: the collector "
                    + "takes this port and the shipper the next one.")
    private Integer port;

    /** The interval of {@code --performance-logging} given alone or as {@code true}. */
    public static final long DEFAULT_PERFORMANCE_LOG_SECONDS = 60;

    @Option(names = "--performance-logging", paramLabel = "SECONDS|true|false", defaultValue = "0", arity = "0..1",
            fallbackValue = "true",
            description = "Log a line with rates and latencies every this many seconds; 0 or false for never; "
                    + "true, or the flag alone, for every " + DEFAULT_PERFORMANCE_LOG_SECONDS + " s. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String performanceLogging;

    /** How often to log a line of rates; zero for never. */
    public java.time.Duration performanceLogInterval() {
        String value = performanceLogging.strip().toLowerCase(java.util.Locale.ROOT);
        if (value.equals("true")) {
            return java.time.Duration.ofSeconds(DEFAULT_PERFORMANCE_LOG_SECONDS);
        }
        if (value.equals("false")) {
            return java.time.Duration.ZERO;
        }
        long seconds;
        try {
            seconds = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ConfigException.invalid("--performance-logging", performanceLogging,
                    "must be a number of seconds, true or false");
        }
        if (seconds < 0) {
            throw ConfigException.invalid("--performance-logging", performanceLogging, "must be 0 (off) or more");
        }
        return java.time.Duration.ofSeconds(seconds);
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
