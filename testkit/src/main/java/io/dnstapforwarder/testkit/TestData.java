package io.dnstapforwarder.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's {@code testdata/} directory: real captures and their reference decodes. */
public final class TestData {

    /** 652 messages from Unbound 1.17.1 (see testdata/README.md). */
    public static final String UNBOUND_SMALL = "unbound-small.fstrm";

    private TestData() {
    }

    /** A file of {@code testdata/}, found from the module or the repository root. */
    public static Path path(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("testdata").resolve(name);
            if (Files.exists(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("testdata/" + name + " not found above " + Path.of("").toAbsolutePath());
    }
}
