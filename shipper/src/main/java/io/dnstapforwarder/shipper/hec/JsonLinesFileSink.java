package io.dnstapforwarder.shipper.hec;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;

/**
 * Appends the HEC events to a local file, one JSON object per line, exactly as they would go to
 * Splunk: what the shipper does when no HEC URL is configured. A request counts as delivered once
 * it is on disk (fsync), so offsets are committed under the same rule as with HEC.
 *
 * <p>It writes through a {@link RandomAccessFile}, not a {@code FileChannel}: an interrupt (a
 * delivery cancelled by a rebalance) closes an interruptible channel for good, and every later
 * write would fail until a restart.
 */
public final class JsonLinesFileSink implements EventSink {

    private final Path file;
    private final RandomAccessFile out;

    public JsonLinesFileSink(Path file) throws IOException {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        this.out = new RandomAccessFile(file.toFile(), "rw");
    }

    @Override
    public synchronized Outcome deliver(HecRequest request) {
        long before = -1;
        try {
            before = out.length();
            out.seek(before);
            out.write(request.body());
            out.getFD().sync();
            return new Outcome.Delivered(-1);
        } catch (IOException e) {
            truncateTo(before); // no half-written line before the retry writes the request again
            return new Outcome.Retryable("writing " + file + " failed: " + e.getMessage(), "file_io", null);
        }
    }

    /** Never asked: the file issues no ackIds, a request is stored once {@link #deliver} returns. */
    @Override
    public Set<Long> indexed(Collection<Long> ackIds) {
        return Set.copyOf(ackIds);
    }

    private void truncateTo(long size) {
        if (size < 0) {
            return;
        }
        try {
            out.setLength(size);
        } catch (IOException ignored) {
            // The retry reports the same failure; nothing more to do here.
        }
    }

    @Override
    public String describe() {
        return "file " + file.toAbsolutePath();
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
