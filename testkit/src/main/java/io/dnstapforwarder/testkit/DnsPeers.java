package io.dnstapforwarder.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The real DNS software the tests drive (unbound, fstrm_replay, dig, ...), from Debian packages.
 * Where a program is missing the test is skipped with a message saying which package to install,
 * unless {@code DNSTAP_REQUIRE_PEERS=true} (set by CI), which turns the skip into a failure, so
 * that CI can never pass by skipping.
 */
public final class DnsPeers {

    private static final List<Path> SEARCH = List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/usr/local/sbin"),
            Path.of("/usr/local/bin"), Path.of("/sbin"), Path.of("/bin"));

    private DnsPeers() {
    }

    /** The program's path; skips (or, under CI, fails) the test when it is not installed. */
    public static Path require(String program, String debianPackage) {
        for (Path dir : SEARCH) {
            Path candidate = dir.resolve(program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = program + " is not installed (apt-get install " + debianPackage + ")";
        if ("true".equals(System.getenv("DNSTAP_REQUIRE_PEERS"))) {
            throw new AssertionError(message + "; DNSTAP_REQUIRE_PEERS=true forbids skipping");
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }
}
