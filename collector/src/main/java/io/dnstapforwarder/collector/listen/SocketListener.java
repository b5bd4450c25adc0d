package io.dnstapforwarder.collector.listen;

import io.dnstapforwarder.collector.publish.EventPublisher;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEventEncoder;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.metrics.ComponentMetrics;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts DNS server connections on one endpoint and reads each on a thread of its own. Closing
 * the listener stops accepting and closes the connections it accepted.
 */
public final class SocketListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SocketListener.class);

    private final ListenEndpoint endpoint;
    private final String collectorId;
    private final EventPublisher publisher;
    private final Connections connections;
    private final int maxFrameBytes;
    private final ComponentMetrics metrics;
    private final Clock clock;
    private final Map<Connection, Reading> readings = new ConcurrentHashMap<>();
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile boolean closed;

    private SocketListener(ListenEndpoint endpoint, String collectorId, EventPublisher publisher, Connections connections,
            int maxFrameBytes, ComponentMetrics metrics, Clock clock) throws IOException {
        this.endpoint = endpoint;
        this.collectorId = collectorId;
        this.publisher = publisher;
        this.connections = connections;
        this.maxFrameBytes = maxFrameBytes;
        this.metrics = metrics;
        this.clock = clock;
        this.server = endpoint.bind();
        this.acceptor = new Thread(this::acceptLoop, "dnstap-accept-" + endpoint.transport().name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Binds the endpoint and starts accepting. */
    public static SocketListener start(ListenEndpoint endpoint, String collectorId, EventPublisher publisher,
            Connections connections, int maxFrameBytes, ComponentMetrics metrics, Clock clock) throws IOException {
        SocketListener listener = new SocketListener(endpoint, collectorId, publisher, connections, maxFrameBytes, metrics, clock);
        listener.acceptor.start();
        log.info("Listening for dnstap on {}", listener.describe());
        return listener;
    }

    /** Where this listener accepts, with the real port when port 0 was asked for. */
    public String describe() {
        if (localAddress() instanceof java.net.InetSocketAddress bound) {
            return "tcp " + new io.dnstapforwarder.config.HostPort(bound.getAddress().getHostAddress(), bound.getPort());
        }
        return endpoint.toString();
    }

    public java.net.SocketAddress localAddress() {
        try {
            return server.getLocalAddress();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public boolean listening() {
        return !closed && server.isOpen() && acceptor.isAlive();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.error("Accepting on {} failed", endpoint, e);
                continue;
            }
            try {
                startReading(channel);
            } catch (IOException | RuntimeException e) {
                log.warn("Could not set up a connection on {}: {}", endpoint, e.toString());
                closeQuietly(channel);
            }
        }
    }

    private void startReading(SocketChannel channel) throws IOException {
        ListenEndpoint.Peer peer = endpoint.peerOf(channel);
        Connection connection = connections.open(endpoint.transport(), peer.address(), peer.port());
        DnstapEventEncoder encoder = new DnstapEventEncoder(DnstapEvent.newBuilder()
                .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE)
                .setCollectorId(collectorId)
                .setConnectionId(connection.id())
                .setTransport(endpoint.transport())
                .setPeerAddress(peer.address())
                .setPeerPort(peer.port())
                .build());
        ConnectionReader reader = new ConnectionReader(channel, connection, encoder, publisher, maxFrameBytes, metrics, clock,
                () -> {
                    readings.remove(connection);
                    connections.closed(connection);
                });
        log.info("Connection {} from {} opened", connection.id(), connection.peer());
        Thread thread = new Thread(reader, "dnstap-conn-" + connection.id());
        readings.put(connection, new Reading(channel, thread));
        thread.start();
    }

    /** A connection's channel and the thread reading it. */
    private record Reading(SocketChannel channel, Thread thread) {
    }

    /** Stops accepting and closes every connection of this listener. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        // Closing a channel ends a blocked read; the interrupt ends a reader blocked on a full publisher.
        for (Reading reading : readings.values()) {
            closeQuietly(reading.channel());
            reading.thread().interrupt();
        }
        try {
            acceptor.join(5_000);
            for (Reading reading : readings.values()) {
                reading.thread().join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (endpoint instanceof ListenEndpoint.Unix unix) {
            try {
                Files.deleteIfExists(unix.path());
            } catch (IOException e) {
                log.warn("Could not remove socket file {}: {}", unix.path(), e.toString());
            }
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("close failed", e);
        }
    }
}
