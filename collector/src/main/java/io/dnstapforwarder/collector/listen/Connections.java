package io.dnstapforwarder.collector.listen;

import io.dnstapforwarder.time.Time;
import io.dnstapforwarder.event.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The connections of a collector, each with a process-unique id. A connection is first
 * <em>opening</em> (accepted; its TLS handshake and Frame Streams READY or START still to come)
 * and then <em>open</em>. At most {@code max} of each at once, over all listeners: opening ones do
 * not take the slots of DNS servers, and the collector closes any connection that has not sent
 * START within the start timeout, so a sender that connects and says nothing cannot lock the DNS
 * servers out.
 * Thread-safe.
 */
public final class Connections {

    private final int max;
    private final int maxPerSender;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Connection> opening = new ConcurrentHashMap<>();
    private final Map<Long, Connection> open = new ConcurrentHashMap<>();
    private final Time time;
    private final Counter accepted;
    private final Counter rejected;

    /** @param maxPerSender TCP and TLS connections one address may have open; 0 for no cap */
    public Connections(int max, int maxPerSender, Time time, MeterRegistry registry, Tags tags) {
        this.max = max;
        this.maxPerSender = maxPerSender;
        this.time = time;
        this.accepted = Counter.builder("dnstap.collector.connections.accepted")
                .description("Connections accepted from DNS servers").tags(tags).register(registry);
        this.rejected = Counter.builder("dnstap.collector.connections.rejected")
                .description("Connections closed because --max-connections were open (or opening), or "
                        + "--max-connections-per-sender from that address").tags(tags).register(registry);
        Gauge.builder("dnstap.collector.connections.active", open, Map::size)
                .description("Connections open now (their Frame Streams handshake begun)").tags(tags).register(registry);
        Gauge.builder("dnstap.collector.connections.opening", opening, Map::size)
                .description("Connections accepted whose TLS handshake or Frame Streams READY/START has not come yet")
                .tags(tags).register(registry);
    }

    /** A connection registered, or why not. */
    record Admission(Connection connection, String refusal) {
    }

    /**
     * Registers a new, opening connection, or refuses it (and counts it) when --max-connections are
     * open or opening already, or when its address has --max-connections-per-sender open or opening
     * (TCP and TLS: every Unix connection has the same "address", the socket's path).
     */
    Admission tryOpen(Transport transport, ListenEndpoint.Peer peer) {
        synchronized (this) {
            if (open.size() >= max) {
                return refuse(open.size() + " connections are open, the limit (--max-connections)");
            }
            if (opening.size() >= max) {
                return refuse(opening.size() + " connections are opening (no START yet), the limit (--max-connections)");
            }
            if (maxPerSender > 0 && transport != Transport.UNIX && countFrom(peer.address()) >= maxPerSender) {
                return refuse(maxPerSender + " connections from " + peer.address()
                        + " are open or opening, the limit per sender (--max-connections-per-sender)");
            }
            Connection connection = new Connection(nextId.getAndIncrement(), transport, peer, time.now(),
                    time.nanoTime());
            opening.put(connection.id(), connection);
            accepted.increment();
            return new Admission(connection, null);
        }
    }

    /**
     * Moves a connection whose handshake has begun (READY or START) to the open ones; returns why
     * not (and counts it) when --max-connections are open, or null.
     */
    String admit(Connection connection) {
        synchronized (this) {
            if (open.size() >= max) {
                rejected.increment();
                return open.size() + " connections are open, the limit (--max-connections)";
            }
            opening.remove(connection.id());
            open.put(connection.id(), connection);
            return null;
        }
    }

    private Admission refuse(String why) {
        rejected.increment();
        return new Admission(null, why);
    }

    private long countFrom(String address) {
        return Stream.concat(open.values().stream(), opening.values().stream())
                .filter(connection -> connection.peerDetails().address().equals(address)).count();
    }

    void closed(Connection connection) {
        opening.remove(connection.id());
        open.remove(connection.id());
    }

    /** Connections open (their Frame Streams handshake begun). */
    public int count() {
        return open.size();
    }

    /** Connections accepted whose Frame Streams handshake has not begun. */
    public int openingCount() {
        return opening.size();
    }

    public int max() {
        return max;
    }

    public long rejectedTotal() {
        return (long) rejected.count();
    }

    /** The open and opening connections, oldest first. */
    public List<Connection> list() {
        List<Connection> connections = new ArrayList<>(open.values());
        connections.addAll(opening.values());
        connections.sort(Comparator.comparingLong(Connection::id));
        return connections;
    }
}
