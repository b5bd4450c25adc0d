package io.dnstapforwarder.collector.listen;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Makes way for a Unix socket at a path: a socket file left by a collector that died is removed;
 * a socket someone still listens on, or any file that is not a socket, is never touched.
 */
final class UnixSocketFiles {

    private static final int FILE_TYPE_MASK = 0170000;
    private static final int SOCKET_TYPE = 0140000;

    private UnixSocketFiles() {
    }

    static void clearStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & FILE_TYPE_MASK) != SOCKET_TYPE) {
            throw new IOException(path + " exists and is not a socket; not removing it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new IOException("another process is listening on " + path);
        } catch (java.net.ConnectException refused) {
            Files.delete(path); // nobody listens: left over from a process that died
        }
    }
}
