package io.dnstapforwarder.collector.listen;

import io.dnstapforwarder.time.Time;
import io.dnstapforwarder.collector.monitor.CollectorMetrics;
import io.dnstapforwarder.collector.publish.EventPublisher;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.net.IpAddresses;
import io.dnstapforwarder.net.Network;
import io.dnstapforwarder.retry.Backoff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts DNS server connections on one endpoint and reads each on a thread of its own. Closing
 * the listener stops accepting and closes the connections it accepted.
 */
public final class SocketListener implements AutoCloseable {

    /** After closing a connection over the limit, accepting waits this long: a reconnect loop cannot spin. */
    public static final Duration OVER_LIMIT_PAUSE = Duration.ofMillis(100);
    /** A connection that breaks the protocol is held this long before it is closed, for the same reason. */
    public static final Duration REFUSAL_PAUSE = Duration.ofSeconds(1);
    /** While accept() fails (too many open files, say), it is tried again after this backoff, not in a loop. */
    static final Backoff ACCEPT_BACKOFF = Backoff.exponential(Duration.ofMillis(10), Duration.ofSeconds(1));
    /** How long connections may take, at shutdown, to publish what they read before they are interrupted. */
    static final Duration READERS_FLUSH = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(SocketListener.class);

    /**
     * What every connection of a collector shares.
     *
     * @param maxReadPause the longest a reader waits between reads to take more frames at once; zero never
     * @param allowFrom networks TCP and TLS senders may connect from; empty for any
     */
    public record Context(String collectorId, EventPublisher publisher, Connections connections, int maxFrameBytes,
            CollectorMetrics metrics, Time time, Duration maxReadPause,
            List<Network> allowFrom) {
    }

    private final ListenEndpoint endpoint;
    private final Context context;
    private final Map<Connection, Reading> readings = new ConcurrentHashMap<>();
    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile boolean closed;
    private volatile String acceptFailure;

    private SocketListener(ListenEndpoint endpoint, Context context) throws IOException {
        this.endpoint = endpoint;
        this.context = context;
        this.server = endpoint.bind();
        this.acceptor = new Thread(this::acceptLoop, "dnstap-accept-" + endpoint.transport().name().toLowerCase(Locale.ROOT));
    }

    /** Binds the endpoint and starts accepting. */
    public static SocketListener start(ListenEndpoint endpoint, Context context) throws IOException {
        SocketListener listener = new SocketListener(endpoint, context);
        listener.acceptor.start();
        log.info("Listening for dnstap on {}", listener.describe());
        return listener;
    }

    /** Where this listener accepts, with the real port when port 0 was asked for. */
    public String describe() {
        if (localAddress() instanceof InetSocketAddress bound) {
            return endpoint.transport().name().toLowerCase(Locale.ROOT) + " "
                    + new HostPort(IpAddresses.format(bound.getAddress().getAddress()), bound.getPort());
        }
        return endpoint.toString();
    }

    public SocketAddress localAddress() {
        try {
            return server.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True while the listener accepts: open, its acceptor running, and accept() not failing. */
    public boolean listening() {
        return alive() && acceptFailure == null;
    }

    /** True while the acceptor runs (however accept() fares): false, the listener needs a restart. */
    public boolean alive() {
        return !closed && server.isOpen() && acceptor.isAlive();
    }

    /** Why accepting fails now (the last error of accept()), or null while it works. */
    public String acceptFailure() {
        return acceptFailure;
    }

    /** Closes the connections that have timed out (called by the collector's reaper, about once a second). */
    public void closeTimedOut(long nowNanos, Duration startTimeout, Duration idleTimeout, Duration readTimeout) {
        readings.forEach((connection, reading) -> {
            String reason = connection.timedOut(nowNanos, startTimeout, idleTimeout, readTimeout);
            if (reason != null) {
                connection.closing(reason);
                closeQuietly(reading.channel());
            }
        });
    }

    private void acceptLoop() {
        int failures = 0;
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                failures++;
                acceptFailure = e.toString();
                context.metrics().error("accept_failed", Stage.RECEIVING);
                Duration pause = ACCEPT_BACKOFF.delay(failures);
                limitedLog.error("accept", "Accepting on {} failed {} times in a row ({}); trying again in {} ms",
                        endpoint, failures, e.toString(), pause.toMillis());
                if (!pause(pause)) {
                    return;
                }
                continue;
            }
            failures = 0;
            acceptFailure = null;
            boolean overLimit;
            try {
                overLimit = !startReading(channel);
            } catch (IOException | RuntimeException e) {
                log.warn("Could not set up a connection on {}: {}", endpoint, e.toString());
                closeQuietly(channel);
                continue;
            }
            if (overLimit && !pause(OVER_LIMIT_PAUSE)) {
                return;
            }
        }
    }

    /**
     * Whether a sender may connect: any over a Unix socket (file permissions decide there), over
     * TCP only from the networks of --allow-from, when given. Checked before a connection slot, a
     * reader thread or a TLS handshake is spent on it.
     */
    private boolean allowed(SocketAddress remote) {
        if (context.allowFrom().isEmpty() || !(remote instanceof InetSocketAddress inet)) {
            return true;
        }
        return context.allowFrom().stream().anyMatch(network -> network.contains(inet.getAddress()));
    }

    /** Starts a reader for the connection; false when it was refused for the connection limit. */
    private boolean startReading(SocketChannel channel) throws IOException {
        if (!allowed(channel.getRemoteAddress())) {
            closeQuietly(channel);
            context.metrics().error("sender_not_allowed", Stage.RECEIVING);
            limitedLog.warn("not-allowed", "Refused a connection on {} from {}: not in --allow-from {}", endpoint,
                    channel.getRemoteAddress(), context.allowFrom());
            return true;
        }
        ListenEndpoint.Peer peer = endpoint.peerOf(channel);
        synchronized (this) {
            if (closed) {
                // Accepted as the listener closed: never read, so nothing of it can be lost at shutdown.
                closeQuietly(channel);
                return true;
            }
            Connections.Admission admission = context.connections().tryOpen(endpoint.transport(), peer);
            Connection connection = admission.connection();
            if (connection == null) {
                closeQuietly(channel);
                limitedLog.warn("limit", "Refused a connection on {} from {}: {}", endpoint,
                        peer.address() + (peer.port() > 0 ? ":" + peer.port() : ""), admission.refusal());
                return false;
            }
            DnstapEvent connectionFields = DnstapEvent.newBuilder()
                    .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE)
                    .setCollectorId(context.collectorId())
                    .setConnectionId(connection.id())
                    .setTransport(endpoint.transport())
                    .setPeerAddress(peer.address())
                    .setPeerPort(peer.port())
                    .build();
            ConnectionReader reader = new ConnectionReader(channel, endpoint, connection, connectionFields, context.publisher(),
                    context.maxFrameBytes(), context.metrics(), context.time(),
                    context.maxReadPause(), context.connections()::admit,
                    () -> {
                        readings.remove(connection);
                        context.connections().closed(connection);
                    });
            log.info("Connection {} from {} opened", connection.id(), connection.peer());
            Thread thread = new Thread(reader, "dnstap-conn-" + connection.id());
            readings.put(connection, new Reading(channel, thread));
            thread.start();
            return true;
        }
    }

    /** Waits on purpose; false when interrupted (the listener is closing). */
    private boolean pause(Duration pause) {
        try {
            context.time().sleep(pause);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A connection's channel and the thread reading it. */
    private record Reading(SocketChannel channel, Thread thread) {
    }

    /**
     * Stops accepting, then ends every connection of this listener: their sockets are closed, so
     * nothing more is read, and each reader publishes what it had read, waiting for room in the
     * publish budget for up to {@link #READERS_FLUSH}. A reader still waiting then (Kafka down) is
     * interrupted, and counts the frames it read and could not publish.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true; // from here on, no connection is registered
        }
        closeQuietly(server);
        acceptor.interrupt(); // out of an accept-failure or over-limit pause
        try {
            acceptor.join(5_000);
            readings.forEach((connection, reading) -> {
                connection.stopping();
                closeQuietly(reading.channel());
            });
            long deadline = context.time().nanoTime() + READERS_FLUSH.toNanos();
            for (Reading reading : readings.values()) {
                reading.thread().join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - context.time().nanoTime())));
            }
            for (Reading reading : readings.values()) {
                reading.thread().interrupt();
                reading.thread().join(1_000);
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
