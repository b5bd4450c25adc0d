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
    private final int maxPerSender;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Connection> open = new ConcurrentHashMap<>();
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Counter accepted;
    private final Counter rejected;

    /** @param maxPerSender TCP and TLS connections one address may have open; 0 for no cap */
    public Connections(int max, int maxPerSender, Clock clock, LongSupplier nanoTime, MeterRegistry registry, Tags tags) {
        this.max = max;
        this.maxPerSender = maxPerSender;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.accepted = Counter.builder("dnstap.collector.connections.accepted")
                .description("Connections accepted from DNS servers").tags(tags).register(registry);
        this.rejected = Counter.builder("dnstap.collector.connections.rejected")
                .description("Connections closed at once because --max-connections were open, or "
                        + "--max-connections-per-sender from that address").tags(tags).register(registry);
        Gauge.builder("dnstap.collector.connections.active", open, Map::size)
                .description("Connections open now").tags(tags).register(registry);
    }

    /** A connection registered, or why not. */
    record Admission(Connection connection, String refusal) {
    }

    /**
     * Registers a new connection, or refuses it (and counts it) when --max-connections are open,
     * or when its address has --max-connections-per-sender open (TCP and TLS: every Unix
     * connection has the same "address", the socket's path).
     */
    Admission tryOpen(Transport transport, ListenEndpoint.Peer peer) {
        synchronized (this) {
            if (open.size() >= max) {
                rejected.increment();
                return new Admission(null, open.size() + " connections are open, the limit (--max-connections)");
            }
            if (maxPerSender > 0 && transport != Transport.UNIX && openFrom(peer.address()) >= maxPerSender) {
                rejected.increment();
                return new Admission(null, maxPerSender + " connections from " + peer.address()
                        + " are open, the limit per sender (--max-connections-per-sender)");
            }
            Connection connection = new Connection(nextId.getAndIncrement(), transport, peer, clock.instant(),
                    nanoTime.getAsLong());
            open.put(connection.id(), connection);
            accepted.increment();
            return new Admission(connection, null);
        }
    }

    private long openFrom(String address) {
        return open.values().stream().filter(connection -> connection.peerDetails().address().equals(address)).count();
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
