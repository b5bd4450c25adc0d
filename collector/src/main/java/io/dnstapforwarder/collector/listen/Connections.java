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

/** The open connections of a collector, each with a process-unique id. Thread-safe. */
public final class Connections {

    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Connection> open = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Counter accepted;

    public Connections(Clock clock, MeterRegistry registry, Tags tags) {
        this.clock = clock;
        this.accepted = Counter.builder("dnstap.collector.connections.accepted")
                .description("Connections accepted from DNS servers").tags(tags).register(registry);
        Gauge.builder("dnstap.collector.connections.active", open, Map::size)
                .description("Connections open now").tags(tags).register(registry);
    }

    Connection open(Transport transport, String peerAddress, int peerPort) {
        Connection connection = new Connection(nextId.getAndIncrement(), transport, peerAddress, peerPort, clock.instant());
        open.put(connection.id(), connection);
        accepted.increment();
        return connection;
    }

    void closed(Connection connection) {
        open.remove(connection.id());
    }

    public int count() {
        return open.size();
    }

    /** The open connections, oldest first. */
    public List<Connection> list() {
        List<Connection> connections = new ArrayList<>(open.values());
        connections.sort(Comparator.comparingLong(Connection::id));
        return connections;
    }
}
