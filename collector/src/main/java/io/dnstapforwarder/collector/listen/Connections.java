package io.dnstapforwarder.collector.listen;

import io.dnstapforwarder.event.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The open connections of a collector, each with a process-unique id, at most {@code max} at once
 * over all listeners. Thread-safe.
 */
public final class Connections {

    private final int max;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Connection> open = new ConcurrentHashMap<>();
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Counter accepted;
    private final Counter rejected;

    public Connections(int max, Clock clock, LongSupplier nanoTime, MeterRegistry registry, Tags tags) {
        this.max = max;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.accepted = Counter.builder("dnstap.collector.connections.accepted")
                .description("Connections accepted from DNS servers").tags(tags).register(registry);
        this.rejected = Counter.builder("dnstap.collector.connections.rejected")
                .description("Connections closed at once because --max-connections were open").tags(tags).register(registry);
        Gauge.builder("dnstap.collector.connections.active", open, Map::size)
                .description("Connections open now").tags(tags).register(registry);
    }

    /** Registers a new connection, or returns {@code null} (and counts it) when the limit is reached. */
    Connection tryOpen(Transport transport, ListenEndpoint.Peer peer) {
        synchronized (this) {
            if (open.size() >= max) {
                rejected.increment();
                return null;
            }
            Connection connection = new Connection(nextId.getAndIncrement(), transport, peer, clock.instant(),
                    nanoTime.getAsLong());
            open.put(connection.id(), connection);
            accepted.increment();
            return connection;
        }
    }

    void closed(Connection connection) {
        open.remove(connection.id());
    }

    public int count() {
        return open.size();
    }

    public int max() {
        return max;
    }

    public long rejectedTotal() {
        return (long) rejected.count();
    }

    /** The open connections, oldest first. */
    public List<Connection> list() {
        List<Connection> connections = new ArrayList<>(open.values());
        connections.sort(Comparator.comparingLong(Connection::id));
        return connections;
    }
}
