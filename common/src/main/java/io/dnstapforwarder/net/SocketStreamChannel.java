package io.dnstapforwarder.net;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A blocking {@link ByteChannel} over a socket's streams: lets code written against channels
 * (the Frame Streams reader and writer) run over an {@code SSLSocket}.
 */
public final class SocketStreamChannel implements ByteChannel {

    private final Socket socket;
    private final ReadableByteChannel in;
    private final WritableByteChannel out;

    public SocketStreamChannel(Socket socket) throws IOException {
        this.socket = socket;
        this.in = Channels.newChannel(socket.getInputStream());
        this.out = Channels.newChannel(socket.getOutputStream());
    }

    @Override
    public int read(ByteBuffer destination) throws IOException {
        return in.read(destination);
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        return out.write(source);
    }

    @Override
    public boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
