package io.dnstapforwarder.collector.listen;

import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamReceiver.Handshake;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What is known about one DNS server connection. The reader thread writes the counters and
 * states; the stats endpoint and the reaper read them: volatile fields, each written by one thread.
 */
public final class Connection {

    private final long id;
    private final Transport transport;
    private final ListenEndpoint.Peer peer;
    private final Instant startedAt;
    private final long acceptedNanos;
    private volatile boolean started;
    private volatile long frames;
    private volatile long bytes;
    private volatile long largestBacklog;
    private volatile long lastActivityNanos;
    private volatile Instant lastActivity;
    private volatile long partialFrameSinceNanos;
    private volatile boolean publishing;
    private volatile Handshake handshake = Handshake.NONE;
    private volatile String closedBecause;
    private volatile boolean stopping;
    private volatile String clientCertificate;

    Connection(long id, Transport transport, ListenEndpoint.Peer peer, Instant startedAt, long nowNanos) {
        this.id = id;
        this.transport = transport;
        this.peer = peer;
        this.startedAt = startedAt;
        this.lastActivity = startedAt;
        this.lastActivityNanos = nowNanos;
        this.acceptedNanos = nowNanos;
    }

    public long id() {
        return id;
    }

    public Transport transport() {
        return transport;
    }

    public ListenEndpoint.Peer peerDetails() {
        return peer;
    }

    public long frames() {
        return frames;
    }

    public long bytes() {
        return bytes;
    }

    /** The peer as people read it: {@code tcp 192.0.2.1:53124} or {@code unix /run/dnstap.sock (user unbound)}. */
    public String peer() {
        if (transport == Transport.UNIX) {
            return "unix " + peer.address() + (peer.user() == null ? "" : " (user " + peer.user() + ")");
        }
        String address = peer.address().contains(":") ? "[" + peer.address() + "]" : peer.address();
        return transport.name().toLowerCase(Locale.ROOT) + " " + address + ":" + peer.port();
    }

    /** After each read: what it held, and whether a frame is left half-received. */
    void recordRead(long framesRead, long bytesRead, Instant at, long atNanos, boolean partialFrame, Handshake mode) {
        frames += framesRead;
        bytes += bytesRead;
        lastActivity = at;
        lastActivityNanos = atNanos;
        if (!partialFrame) {
            partialFrameSinceNanos = 0;
        } else if (partialFrameSinceNanos == 0) {
            partialFrameSinceNanos = atNanos;
        }
        handshake = mode;
    }

    /** A backlog its reader took (from a wake-up until the socket was empty): /stats shows the largest. */
    void backlogRead(long backlog) {
        if (backlog > largestBacklog) {
            largestBacklog = backlog;
        }
    }

    /** While set, the reader waits for Kafka, not for the peer: no timeout applies. */
    void publishing(boolean waiting) {
        publishing = waiting;
    }

    /** Its Frame Streams START has come: the start timeout no longer applies. */
    void started() {
        started = true;
    }

    /**
     * Why this connection should close now, or {@code null}: no START within the start timeout
     * (TLS handshake included), idle too long, or a frame left half-sent.
     */
    String timedOut(long nowNanos, Duration startTimeout, Duration idleTimeout, Duration readTimeout) {
        if (!started && nowNanos - acceptedNanos > startTimeout.toNanos()) {
            return "start_timeout";
        }
        if (publishing) {
            return null;
        }
        long partialSince = partialFrameSinceNanos;
        if (partialSince != 0 && nowNanos - partialSince > readTimeout.toNanos()) {
            return "read_timeout";
        }
        if (nowNanos - lastActivityNanos > idleTimeout.toNanos()) {
            return "idle_timeout";
        }
        return null;
    }

    /** The subject of the client certificate TLS verified. */
    void clientCertificate(String subject) {
        clientCertificate = subject;
    }

    /** Records why the collector is closing this connection, for the reader's closing log line. */
    void closing(String reason) {
        closedBecause = reason;
    }

    String closedBecause() {
        return closedBecause;
    }

    /** Records that the collector is stopping and closes this connection for that reason, not an error. */
    void stopping() {
        stopping = true;
    }

    boolean closedForStop() {
        return stopping;
    }

    /** For /stats. */
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("id", id);
        description.put("transport", transport.name().toLowerCase(Locale.ROOT));
        description.put("peer", peer());
        if (peer.user() != null) {
            description.put("peer_user", peer.user());
            description.put("peer_group", peer.group());
        }
        if (clientCertificate != null) {
            description.put("client_certificate", clientCertificate);
        }
        description.put("content_type", io.dnstapforwarder.event.DnstapEvents.DNSTAP_CONTENT_TYPE);
        description.put("handshake", handshake.name().toLowerCase(Locale.ROOT));
        description.put("state", started ? "streaming" : "starting");
        description.put("started_at", startedAt.toString());
        description.put("last_activity", lastActivity.toString());
        description.put("frames", frames);
        description.put("bytes", bytes);
        description.put("largest_backlog_bytes", largestBacklog);
        return description;
    }
}
