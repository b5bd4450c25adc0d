package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code dnstap_shipper_server_events_total{server}}: the events each DNS server (dnstap identity)
 * sent, as read from Kafka, whether shaping sends them on or not: a server that goes silent shows
 * here (and in the {@code DnstapServerSilent} alert) even while its events would be dropped.
 * Cardinality is bounded: the first {@code max} identities seen get a series each, every later one
 * counts as {@code other} (a hostile or misconfigured sender cannot make the registry grow).
 * Events without an identity, and records the peek cannot read (they go on to the renderer, which
 * renders or dead-letters them), count as {@code unknown}: the series add up to the records read. Thread-safe; each worker keeps a
 * {@link Local} that remembers its last server, so a stream of one server's events costs a byte
 * comparison each.
 */
public final class ServerMeters {

    public static final int DEFAULT_MAX_SERVERS = 100;
    static final String OTHER = "other";
    static final String UNKNOWN = "unknown";

    private final ComponentMetrics metrics;
    private final int max;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private int named;
    private Counter other;

    public ServerMeters(ComponentMetrics metrics, int max) {
        this.metrics = metrics;
        this.max = max;
    }

    /** One worker's view. */
    public Local local() {
        return new Local();
    }

    private Counter counter(String server) {
        Counter counter = counters.get(server);
        if (counter != null) {
            return counter;
        }
        synchronized (this) {
            counter = counters.get(server);
            if (counter != null) {
                return counter;
            }
            if (server.equals(UNKNOWN) || named < max) {
                named += server.equals(UNKNOWN) ? 0 : 1;
                counter = register(server);
                counters.put(server, counter);
                return counter;
            }
            if (other == null) {
                other = register(OTHER);
            }
            return other;
        }
    }

    private Counter register(String server) {
        return Counter.builder("dnstap.shipper.server.events")
                .description("Events read from Kafka per DNS server (dnstap identity), shaped away or not; the first "
                        + "--server-metrics servers each, the rest as other")
                .tags(metrics.tags()).tag("server", server).register(metrics.registry());
    }

    /** A worker's counting, remembering the last server it saw. Not thread-safe. */
    public final class Local {
        private byte[] lastIdentity;
        private Counter lastCounter;

        /** Counts the record {@code peek} read, or tried to. */
        void count(DnstapPeek peek) {
            int start = peek.readable() ? peek.identityStart() : -1;
            if (start < 0) {
                counter(UNKNOWN).increment();
                return;
            }
            int end = start + peek.identityLength();
            if (lastIdentity == null || !Arrays.equals(lastIdentity, 0, lastIdentity.length, peek.bytes(), start, end)) {
                lastIdentity = Arrays.copyOfRange(peek.bytes(), start, end);
                lastCounter = counter(new String(lastIdentity, StandardCharsets.UTF_8));
            }
            lastCounter.increment();
        }
    }
}
