package io.dnstapforwarder.shipper.hec;

import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip of request bodies, as HEC takes them with {@code Content-Encoding: gzip} (RFC 1952: a
 * header, raw deflate, the CRC-32 and length of the input).
 *
 * <p>Each thread that compresses keeps one compressor: its {@link Deflater} (about 300 KB of
 * native memory, set up and zeroed on every {@code new Deflater}), its staging chunk and its output
 * buffer are reused from request to request, and the body is copied once, to its exact size, to be
 * kept for retries. The threads are the delivery workers, a handful, living as long as the shipper.
 */
public final class Gzip {

    /** What the compressor is given at a time: small writes each cost a deflate call. */
    static final int CHUNK_BYTES = 64 * 1024;
    /** An output buffer grown past this for an unusually large body is not kept for the next one. */
    private static final int MAX_KEPT_OUTPUT_BYTES = 1 << 20;
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private static final ThreadLocal<Compressor> COMPRESSORS = ThreadLocal.withInitial(Compressor::new);

    private Gzip() {
    }

    /**
     * Compresses {@code lines}, each followed by a newline, at {@code level} (1 fastest, 9
     * smallest). They reach the compressor in chunks of 64 KiB: line by line (two small writes
     * each) took a third longer (GzipBenchmark). The uncompressed body is never made whole: a
     * megabyte array is a humongous object for G1 at this heap size, and one a second kept the
     * shipper's collector in a concurrent cycle at a DNS server's pace (docs/PERFORMANCE.md).
     */
    public static byte[] compress(List<byte[]> lines, int level) {
        return COMPRESSORS.get().compress(lines, level);
    }

    /** One thread's deflater and buffers. */
    private static final class Compressor {
        private final Deflater deflater = new Deflater(1, true); // raw deflate: the gzip framing is written here
        private final CRC32 crc = new CRC32();
        private final byte[] chunk = new byte[CHUNK_BYTES];
        private byte[] output = new byte[CHUNK_BYTES * 4];
        private int level = 1;
        private int chunkLength;
        private int outputLength;
        private long inputLength;

        byte[] compress(List<byte[]> lines, int compressionLevel) {
            start(compressionLevel);
            for (byte[] line : lines) {
                int at = 0;
                while (at < line.length) {
                    int take = Math.min(line.length - at, CHUNK_BYTES - chunkLength);
                    System.arraycopy(line, at, chunk, chunkLength, take);
                    chunkLength += take;
                    at += take;
                    if (chunkLength == CHUNK_BYTES) {
                        deflateChunk();
                    }
                }
                if (chunkLength == CHUNK_BYTES) {
                    deflateChunk();
                }
                chunk[chunkLength++] = '\n';
            }
            deflateChunk();
            deflater.finish();
            while (!deflater.finished()) {
                drain();
            }
            writeIntLittleEndian((int) crc.getValue());
            writeIntLittleEndian((int) inputLength); // ISIZE: the length modulo 2^32
            byte[] body = Arrays.copyOf(output, outputLength);
            if (output.length > MAX_KEPT_OUTPUT_BYTES) {
                output = new byte[CHUNK_BYTES * 4];
            }
            return body;
        }

        private void start(int compressionLevel) {
            deflater.reset();
            if (compressionLevel != level) {
                deflater.setLevel(compressionLevel);
                level = compressionLevel;
            }
            crc.reset();
            chunkLength = 0;
            inputLength = 0;
            System.arraycopy(HEADER, 0, output, 0, HEADER.length);
            outputLength = HEADER.length;
        }

        private void deflateChunk() {
            if (chunkLength == 0) {
                return;
            }
            crc.update(chunk, 0, chunkLength);
            inputLength += chunkLength;
            deflater.setInput(chunk, 0, chunkLength);
            while (!deflater.needsInput()) {
                drain();
            }
            chunkLength = 0;
        }

        /** Takes what the deflater has ready, making room for it first. */
        private void drain() {
            if (output.length - outputLength < CHUNK_BYTES / 4) {
                output = Arrays.copyOf(output, output.length * 2);
            }
            outputLength += deflater.deflate(output, outputLength, output.length - outputLength, Deflater.NO_FLUSH);
        }

        private void writeIntLittleEndian(int value) {
            if (output.length - outputLength < 4) {
                output = Arrays.copyOf(output, outputLength + 4);
            }
            for (int i = 0; i < 4; i++) {
                output[outputLength++] = (byte) (value >>> (8 * i));
            }
        }
    }
}
