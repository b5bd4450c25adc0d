package io.dnstapforwarder.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/**
 * What a running service is: its kind ({@code collector} or {@code shipper}), its instance id,
 * the build version and when it started.
 */
public record ServiceInfo(String kind, String instanceId, String version, Instant startedAt) {

    /** The version of this build, from the resource the build writes. */
    public static final String BUILD_VERSION = readBuildVersion();

    /** A service of this build starting at {@code now}. */
    public static ServiceInfo starting(String kind, String instanceId, Instant now) {
        return new ServiceInfo(kind, instanceId, BUILD_VERSION, now);
    }

    /** This machine's host name: the default instance id of both services. */
    public static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    public Duration uptime(Instant now) {
        return Duration.between(startedAt, now);
    }

    private static String readBuildVersion() {
        try (InputStream in = ServiceInfo.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the build");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
