package io.dnstapforwarder.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pod runner does not depend on what the host's /etc holds. */
class PodSandboxTest {

    @TempDir
    Path etc;

    @Test
    void aHostThatRunsTheForwarderDoesNotLendItsOwnConfigurationToThePod() throws Exception {
        Files.createDirectories(etc.resolve("dnstap-forwarder/tls"));
        Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n");
        Files.createDirectories(etc.resolve("ssl"));

        List<Path> taken = PodSandbox.hostEtc(etc, List.of("/etc/dnstap-forwarder", "/etc/dnstap-forwarder/kafka",
                "/data"));

        assertThat(taken).containsExactly(etc.resolve("hosts"), etc.resolve("ssl"));
    }
}
