package io.dnstapforwarder.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Programs a test starts (Unbound, the launcher): output goes to a file for the failure message;
 * each is stopped by its PID, politely first, and killed if it does not go.
 */
public final class Processes {

    private Processes() {
    }

    /** A started program and the file its output goes to. */
    public record Started(Process process, Path outputFile) implements AutoCloseable {

        public long pid() {
            return process.pid();
        }

        public String output() {
            try {
                return Files.exists(outputFile) ? Files.readString(outputFile) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Sends SIGTERM, waits up to {@code grace}, then SIGKILL. Returns the exit code. */
        public int stop(Duration grace) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IllegalStateException("interrupted while stopping pid " + pid(), e);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                stop(Duration.ofSeconds(10));
            }
        }
    }

    public static Started start(List<String> command, Path workDir, Path output, java.util.Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        try {
            return new Started(builder.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
    }
}
