package io.dnstapforwarder.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.dnstapforwarder.time.Time;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.AuthenticationException;
import org.slf4j.Marker;

/**
 * Folds the Kafka client's own complaints about refused credentials into one line every
 * {@value #QUIET_MINUTES} minutes per logger. While Kafka refuses a password, its client logs an
 * ERROR line per connection attempt (about once a second per client, for as long as it lasts)
 * which buries everything else; the services already say it once, in an operator's words
 * ({@code Cannot consume:}, {@code Cannot publish:}, {@code /ready}), and keep saying it in
 * readiness and metrics. Installed by {@code logback.xml}; cheap for every other line (a logger
 * name prefix test).
 */
public final class KafkaAuthenticationNoise extends TurboFilter {

    static final long QUIET_MINUTES = 5;
    private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(QUIET_MINUTES);

    private final Map<String, Long> lastLet = new ConcurrentHashMap<>();

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || !level.isGreaterOrEqual(Level.WARN) || !logger.getName().startsWith("org.apache.kafka")
                || !aboutAuthentication(format, params, t)) {
            return FilterReply.NEUTRAL;
        }
        long now = Time.SYSTEM.nanoTime(); // logback makes this filter: there is nothing to inject
        Long last = lastLet.get(logger.getName());
        if (last != null && now - last < QUIET_NANOS) {
            return FilterReply.DENY;
        }
        lastLet.put(logger.getName(), now);
        return FilterReply.NEUTRAL;
    }

    private static boolean aboutAuthentication(String format, Object[] params, Throwable t) {
        if (format != null && format.contains("failed authentication")) {
            return true;
        }
        if (causedByAuthentication(t)) {
            return true;
        }
        if (params != null) {
            for (Object param : params) {
                if (param instanceof Throwable thrown && causedByAuthentication(thrown)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean causedByAuthentication(Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof AuthenticationException) {
                return true;
            }
        }
        return false;
    }
}
