package io.dnstapforwarder.testkit;

import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import io.dnstapforwarder.net.SocketStreamChannel;
import io.dnstapforwarder.tls.TlsContexts;
import java.io.IOException;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * Plays a DNS server: connects to a collector over a Unix socket or TCP and sends dnstap frames in
 * bidirectional (as Unbound, BIND, Knot do) or unidirectional Frame Streams.
 */
public final class FrameStreamTestClient {

    private FrameStreamTestClient() {
    }

    /** Sends every frame of a capture file, then STOP (and waits for FINISH when bidirectional). */
    public static List<byte[]> replay(Path captureFile, SocketAddress address, boolean bidirectional) throws IOException {
        List<byte[]> frames = FrameStreamFile.readAll(captureFile, DnstapEvents.DNSTAP_CONTENT_TYPE);
        send(frames, address, bidirectional);
        return frames;
    }

    public static void send(List<byte[]> frames, SocketAddress address, boolean bidirectional) throws IOException {
        try (SocketChannel channel = connect(address);
                FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, bidirectional)) {
            for (byte[] frame : frames) {
                writer.write(frame);
            }
        }
    }

    /**
     * Sends frames over TLS, trusting {@code ca}; with {@code clientCertificate} and
     * {@code clientKey}, presents that certificate (mutual TLS).
     */
    public static void sendTls(List<byte[]> frames, InetSocketAddress address, Path ca, Path clientCertificate,
            Path clientKey) throws IOException {
        try (SSLSocket socket = connectTls(address, ca, clientCertificate, clientKey);
                FrameStreamWriter writer = FrameStreamWriter.open(new SocketStreamChannel(socket),
                        DnstapEvents.DNSTAP_CONTENT_TYPE, true)) {
            for (byte[] frame : frames) {
                writer.write(frame);
            }
        }
    }

    /** A TLS connection that has finished its handshake. */
    public static SSLSocket connectTls(InetSocketAddress address, Path ca, Path clientCertificate, Path clientKey)
            throws IOException {
        SSLContext context = TlsContexts.client(ca, clientCertificate, clientKey);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.startHandshake();
        return socket;
    }

    public static SocketChannel connect(SocketAddress address) throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        channel.connect(address);
        return channel;
    }
}
