package io.dnstapforwarder.shipper.hec;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** gzip of request bodies, as HEC takes them with {@code Content-Encoding: gzip}. */
public final class Gzip {

    /** What the compressor is given at a time: small writes each cost a deflate call. */
    private static final int CHUNK_BYTES = 64 * 1024;

    private Gzip() {
    }

    /**
     * Compresses {@code lines}, each followed by a newline, at {@code level} (1 fastest, 9
     * smallest). They reach the compressor in chunks of 64 KiB: line by line (two small writes
     * each) took a third longer (GzipBenchmark). The uncompressed body is never made whole: a
     * megabyte array is a humongous object for G1 at this heap size, and one a second kept the
     * shipper's collector in a concurrent cycle at a DNS server's pace (docs/PERFORMANCE.md).
     */
    public static byte[] compress(List<byte[]> lines, long uncompressedBytes, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(uncompressedBytes / 4 + 64, CHUNK_BYTES * 4));
        try (OutputStream gzip = new BufferedOutputStream(new GZIPOutputStream(out, CHUNK_BYTES) {
            {
                def.setLevel(level);
            }
        }, CHUNK_BYTES)) {
            for (byte[] line : lines) {
                gzip.write(line);
                gzip.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("compressing in memory failed", e);
        }
        return out.toByteArray();
    }
}
