package io.dnstapforwarder.collector.listen;

import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a listener accepts connections: a Unix socket path or a TCP address. */
public sealed interface ListenEndpoint {

    /** Binds and returns the server channel. */
    ServerSocketChannel bind() throws IOException;

    /** Who is on the other end of an accepted connection. */
    Peer peerOf(SocketChannel channel) throws IOException;

    Transport transport();

    /** The sender of a connection, as the envelope records it. */
    record Peer(String address, int port) {
    }

    /** A Unix domain socket: what local DNS servers use. */
    record Unix(Path path) implements ListenEndpoint {

        @Override
        public ServerSocketChannel bind() throws IOException {
            UnixSocketFiles.clearStale(path);
            Files.createDirectories(path.toAbsolutePath().getParent());
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            return server;
        }

        @Override
        public Peer peerOf(SocketChannel channel) {
            // Unix socket peers are unnamed; the socket path says where the data came in.
            return new Peer(path.toAbsolutePath().toString(), 0);
        }

        @Override
        public Transport transport() {
            return Transport.UNIX;
        }

        @Override
        public String toString() {
            return "unix " + path;
        }
    }

    /** A TCP address: what remote DNS servers use. */
    record Tcp(HostPort address) implements ListenEndpoint {

        @Override
        public ServerSocketChannel bind() throws IOException {
            ServerSocketChannel server = ServerSocketChannel.open();
            server.bind(address.toSocketAddress());
            return server;
        }

        @Override
        public Peer peerOf(SocketChannel channel) throws IOException {
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            return new Peer(remote.getAddress().getHostAddress(), remote.getPort());
        }

        @Override
        public Transport transport() {
            return Transport.TCP;
        }

        @Override
        public String toString() {
            return "tcp " + address;
        }
    }
}
