package io.dnstapforwarder.shipper.hec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Set;

/**
 * Appends the HEC events to a local file, one JSON object per line, exactly as they would go to
 * Splunk: what the shipper does when no HEC URL is configured. A request counts as delivered once
 * it is on disk (fsync), so offsets are committed under the same rule as with HEC.
 */
public final class JsonLinesFileSink implements EventSink {

    private final Path file;
    private final FileChannel channel;

    public JsonLinesFileSink(Path file) throws IOException {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    @Override
    public synchronized Outcome deliver(HecRequest request) {
        long before = -1;
        try {
            before = channel.size();
            ByteBuffer body = ByteBuffer.wrap(request.body());
            while (body.hasRemaining()) {
                channel.write(body);
            }
            channel.force(false);
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
            channel.truncate(size);
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
            channel.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
