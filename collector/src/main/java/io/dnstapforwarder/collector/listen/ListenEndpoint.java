package io.dnstapforwarder.collector.listen;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.net.IpAddresses;
import io.dnstapforwarder.net.SocketStreamChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/** Where a listener accepts connections: a Unix socket path, a TCP address, or TCP with TLS. */
public sealed interface ListenEndpoint {

    /** Binds and returns the server channel. */
    ServerSocketChannel bind() throws IOException;

    /** Who is on the other end of an accepted connection. */
    Peer peerOf(SocketChannel channel) throws IOException;

    /**
     * Makes an accepted connection ready for Frame Streams; for TLS, the handshake. Runs on the
     * connection's own thread, so a slow client never holds up accepting.
     */
    default Opened open(SocketChannel channel) throws IOException {
        return new Opened(channel, null, null);
    }

    Transport transport();

    /**
     * The sender of a connection.
     *
     * @param address an IP address literal (TCP), or the socket path (Unix)
     * @param port the TCP port; 0 for Unix
     * @param user the peer process's user, where the OS tells (Unix sockets); else {@code null}
     * @param group the peer process's group, likewise
     */
    record Peer(String address, int port, String user, String group) {
    }

    /**
     * A connection ready to read.
     *
     * @param clientCertificate the subject of the client certificate TLS verified, or {@code null}
     * @param requiredIdentity when every frame's dnstap identity must be a name of that
     *     certificate, its names; else {@code null}
     */
    record Opened(ByteChannel channel, String clientCertificate, SenderIdentity requiredIdentity) {
    }

    /**
     * A Unix domain socket: what local DNS servers use. The OS tells the user and group of the
     * connecting process (SO_PEERCRED); the JDK does not expose its pid.
     */
    record Unix(Path path, Set<PosixFilePermission> mode) implements ListenEndpoint {

        /**
         * Binds, after removing a socket file a dead process left. A directory that cannot hold
         * the socket (read-only, another user's, not a directory) stops the start with a message
         * naming the option, not a stack trace: in a container with a read-only root file
         * system, the socket's directory must be a volume.
         */
        @Override
        public ServerSocketChannel bind() throws IOException {
            UnixSocketFiles.clearStale(path);
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                Files.createDirectories(path.toAbsolutePath().getParent());
                server.bind(UnixDomainSocketAddress.of(path));
            } catch (IOException e) {
                server.close();
                throw ConfigException.invalid("--socket-path", path, "cannot be listened on (" + e
                        + "): its directory must exist or be creatable, and be writable by this user; in a container "
                        + "with a read-only root file system, mount a volume there");
            }
            if (mode != null) {
                Files.setPosixFilePermissions(path, mode);
            }
            return server;
        }

        @Override
        public Peer peerOf(SocketChannel channel) throws IOException {
            UnixDomainPrincipal principal = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return new Peer(path.toAbsolutePath().toString(), 0, principal.user().getName(), principal.group().getName());
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
            return bindTcp(address);
        }

        @Override
        public Peer peerOf(SocketChannel channel) throws IOException {
            return tcpPeer(channel);
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

    /**
     * TCP with TLS (Unbound's {@code dnstap-tls}), optionally requiring client certificates.
     *
     * @param handshakeTimeout a client that has not finished the handshake within this is dropped
     * @param requireIdentityMatch every frame's dnstap identity must be a name of the client
     *     certificate (needs {@code requireClientCertificate})
     */
    record Tls(HostPort address, SSLContext context, boolean requireClientCertificate, Duration handshakeTimeout,
            boolean requireIdentityMatch) implements ListenEndpoint {

        @Override
        public ServerSocketChannel bind() throws IOException {
            return bindTcp(address);
        }

        @Override
        public Peer peerOf(SocketChannel channel) throws IOException {
            return tcpPeer(channel);
        }

        @Override
        public Opened open(SocketChannel channel) throws IOException {
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(channel.socket(),
                    remote.getHostString(), remote.getPort(), true);
            tls.setUseClientMode(false);
            tls.setNeedClientAuth(requireClientCertificate);
            tls.setSoTimeout((int) handshakeTimeout.toMillis());
            // The timeout above is per read: a client sending a byte now and then would keep its
            // handshake, its thread and its connection slot forever. The deadline is for the
            // whole handshake: past it the socket is closed under the handshake.
            // The close runs on CompletableFuture's one timer thread: a delayedExecutor would hand it to
            // the default executor, a new thread per connection where the common pool has one thread.
            CompletableFuture<Void> deadline = new CompletableFuture<Void>()
                    .completeOnTimeout(null, handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            deadline.thenRun(() -> closeQuietly(channel));
            try {
                tls.startHandshake();
            } catch (IOException e) {
                if (deadline.isDone() && !deadline.isCancelled()) {
                    throw new SSLException("TLS handshake not finished within " + handshakeTimeout.toMillis() + " ms", e);
                }
                throw e;
            } finally {
                deadline.cancel(false);
            }
            tls.setSoTimeout(0);
            if (!requireClientCertificate) {
                return new Opened(new SocketStreamChannel(tls), null, null);
            }
            X509Certificate certificate;
            try {
                certificate = (X509Certificate) tls.getSession().getPeerCertificates()[0];
            } catch (SSLPeerUnverifiedException e) {
                throw new IOException("client certificate missing after the handshake", e);
            }
            return new Opened(new SocketStreamChannel(tls), certificate.getSubjectX500Principal().getName(),
                    requireIdentityMatch ? SenderIdentity.of(certificate) : null);
        }

        @Override
        public Transport transport() {
            return Transport.TLS;
        }

        @Override
        public String toString() {
            return "tls " + address + (requireIdentityMatch ? " (client certificates required, naming the dnstap identity)"
                    : requireClientCertificate ? " (client certificates required)" : "");
        }
    }

    private static ServerSocketChannel bindTcp(HostPort address) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(address.toSocketAddress());
        return server;
    }

    private static Peer tcpPeer(SocketChannel channel) throws IOException {
        InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
        return new Peer(IpAddresses.format(remote.getAddress().getAddress()), remote.getPort(), null, null);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing to end a stalled handshake: the handshake's own failure is what is reported
        }
    }
}
