package io.dnstapforwarder.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP peer that accepts connections and then never reads from them nor writes to them: what a
 * hung server, or a load balancer whose back end vanished, looks like to a client. What the client
 * sends fills the socket buffers and then its writes block.
 */
public final class SilentPeer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private SilentPeer(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::accept, "silent-peer-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on a free port of 127.0.0.1, with a receive buffer as small as the system allows. */
    public static SilentPeer start() {
        try {
            ServerSocket server = new ServerSocket();
            server.setReceiveBufferSize(1024);
            server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            return new SilentPeer(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Connections accepted so far (and held silent). */
    public int connections() {
        return accepted.size();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                accepted.add(server.accept());
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
