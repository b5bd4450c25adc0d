package io.dnstapforwarder.collector.listen;

import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamReceiver.Handshake;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is known about one DNS server connection. The reader thread writes the counters; the
 * stats endpoint reads them, hence volatile fields written by one thread only.
 */
public final class Connection {

    private final long id;
    private final Transport transport;
    private final String peerAddress;
    private final int peerPort;
    private final Instant startedAt;
    private volatile long frames;
    private volatile long bytes;
    private volatile Instant lastActivity;
    private volatile Handshake handshake = Handshake.NONE;

    Connection(long id, Transport transport, String peerAddress, int peerPort, Instant startedAt) {
        this.id = id;
        this.transport = transport;
        this.peerAddress = peerAddress;
        this.peerPort = peerPort;
        this.startedAt = startedAt;
        this.lastActivity = startedAt;
    }

    public long id() {
        return id;
    }

    public Transport transport() {
        return transport;
    }

    public String peerAddress() {
        return peerAddress;
    }

    public int peerPort() {
        return peerPort;
    }

    public long frames() {
        return frames;
    }

    public long bytes() {
        return bytes;
    }

    /** The peer as people read it: {@code tcp 192.0.2.1:53124} or {@code unix /run/dnstap.sock}. */
    public String peer() {
        return transport == Transport.UNIX
                ? "unix " + peerAddress
                : transport.name().toLowerCase(java.util.Locale.ROOT) + " "
                        + (peerAddress.contains(":") ? "[" + peerAddress + "]" : peerAddress) + ":" + peerPort;
    }

    /** Called by the reader after each read that held frames. */
    void recordRead(long framesRead, long bytesRead, Instant at, Handshake mode) {
        frames += framesRead;
        bytes += bytesRead;
        lastActivity = at;
        handshake = mode;
    }

    /** For /stats. */
    public Map<String, Object> describe() {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("id", id);
        description.put("transport", transport.name().toLowerCase(java.util.Locale.ROOT));
        description.put("peer", peer());
        description.put("started_at", startedAt.toString());
        description.put("last_activity", lastActivity.toString());
        description.put("handshake", handshake.name().toLowerCase(java.util.Locale.ROOT));
        description.put("frames", frames);
        description.put("bytes", bytes);
        return description;
    }
}
