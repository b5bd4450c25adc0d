package io.dnstapforwarder.collector.listen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the collector's Unix socket can and cannot be, and what the operator reads when it cannot. */
class UnixEndpointTest {

    @TempDir
    Path dir;

    @Test
    void aDirectoryThatCannotHoldTheSocketStopsTheStartWithAMessageNamingTheOption() throws Exception {
        // A file where the directory should be: what a read-only root file system is to the
        // collector's user (tests run as root here, which permissions would not stop).
        Path notADirectory = Files.writeString(dir.resolve("run"), "a file");
        ListenEndpoint.Unix endpoint = new ListenEndpoint.Unix(notADirectory.resolve("dnstap.sock"), null);

        assertThatThrownBy(endpoint::bind).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--socket-path (DNSTAP_SOCKET_PATH)")
                .hasMessageContaining(notADirectory.resolve("dnstap.sock").toString())
                .hasMessageContaining("mount a volume there");
    }

    @Test
    void aMissingDirectoryIsCreated() throws Exception {
        Path socket = dir.resolve("run/dnstap/dnstap.sock");

        try (ServerSocketChannel server = new ListenEndpoint.Unix(socket, null).bind()) {
            assertThat(server.isOpen()).isTrue();
            assertThat(socket).exists();
        }
    }
}
