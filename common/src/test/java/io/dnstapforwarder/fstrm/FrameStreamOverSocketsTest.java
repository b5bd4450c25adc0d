package io.dnstapforwarder.fstrm;

import static io.dnstapforwarder.fstrm.Frames.DNSTAP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The writer and the receiver talking over real sockets, with the 652 frames of a real capture. */
@Timeout(30)
class FrameStreamOverSocketsTest {

    private static final Path CAPTURE = Path.of("..", "testdata", "unbound-small.fstrm");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void carriesEveryFrameOfARealCaptureOverAUnixSocket(boolean bidirectional) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(dir.resolve("fstrm.sock")));
            assertRoundTrip(server, server.getLocalAddress(), StandardProtocolFamily.UNIX, bidirectional);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void carriesEveryFrameOfARealCaptureOverTcp(boolean bidirectional) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertRoundTrip(server, server.getLocalAddress(), StandardProtocolFamily.INET, bidirectional);
        }
    }

    @Test
    void writesAFrameLargerThanItsBufferUnbuffered() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(dir.resolve("big.sock")));
            CompletableFuture<List<byte[]>> received = CompletableFuture.supplyAsync(() -> receiveAll(server, 100));
            byte[] big = new byte[10_000];
            big[9_999] = 42;
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                    FrameStreamWriter writer = FrameStreamWriter.open(client, DNSTAP, true, 1024)) {
                writer.write(new byte[] {1});
                writer.write(big);
            }
            assertThat(received.get(20, TimeUnit.SECONDS)).containsExactly(new byte[] {1}, big);
        }
    }

    private static void assertRoundTrip(ServerSocketChannel server, SocketAddress address, StandardProtocolFamily family,
            boolean bidirectional) throws Exception {
        List<byte[]> frames = FrameStreamFile.readAll(CAPTURE, DNSTAP);
        CompletableFuture<List<byte[]>> received = CompletableFuture.supplyAsync(() -> receiveAll(server, 997));
        try (SocketChannel client = SocketChannel.open(family)) {
            client.connect(address);
            try (FrameStreamWriter writer = FrameStreamWriter.open(client, DNSTAP, bidirectional)) {
                for (byte[] frame : frames) {
                    writer.write(frame);
                }
            }
        }
        assertThat(received.get(20, TimeUnit.SECONDS)).containsExactlyElementsOf(frames);
    }

    /** A minimal receiving loop, reading in odd-sized chunks so that frames straddle reads. */
    private static List<byte[]> receiveAll(ServerSocketChannel server, int readSize) {
        List<byte[]> received = new ArrayList<>();
        try (SocketChannel peer = server.accept()) {
            FrameStreamReceiver receiver = new FrameStreamReceiver(DNSTAP,
                    reply -> peer.write(ByteBuffer.wrap(FrameEncoder.encode(reply))),
                    frame -> {
                        byte[] copy = new byte[frame.remaining()];
                        frame.get(copy);
                        received.add(copy);
                    });
            FrameDecoder decoder = new FrameDecoder(1 << 20);
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            ByteBuffer chunk = ByteBuffer.allocate(readSize);
            while (!receiver.stopped()) {
                chunk.clear();
                if (peer.read(chunk) < 0) {
                    throw new IOException("stream ended before STOP");
                }
                buffer.put(chunk.flip()).flip();
                decoder.decode(buffer, receiver);
                buffer.compact();
            }
            return received;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
