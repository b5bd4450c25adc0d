package io.dnstapforwarder.shipper.hec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Whatever the lines and however often a thread's compressor is reused, at whichever levels, the
 * body is a gzip member that the JDK's reader turns back into the lines, one per line.
 */
class GzipProperties {

    @Property(tries = 200)
    void aBodyDecompressesToItsLinesWhateverCameBefore(@ForAll("bodies") List<List<byte[]>> bodies,
            @ForAll @IntRange(min = 1, max = 9) int level) throws IOException {
        for (List<byte[]> lines : bodies) { // one thread: each body after the others on the same compressor
            assertThat(gunzip(Gzip.compress(lines, level))).isEqualTo(joined(lines));
        }
    }

    @Test
    void linesAroundTheChunkBoundaryAndLargerThanAChunk() throws IOException {
        byte[] filler = repeated('a', Gzip.CHUNK_BYTES - 1); // its newline fills the chunk exactly
        byte[] huge = repeated('b', 3 * Gzip.CHUNK_BYTES + 17);
        List<byte[]> lines = List.of(filler, huge, new byte[0], filler, repeated('c', 1));
        assertThat(gunzip(Gzip.compress(lines, 1))).isEqualTo(joined(lines));
        assertThat(gunzip(Gzip.compress(List.of(), 6))).isEmpty();
    }

    @Test
    void aBodyLargerThanTheKeptBufferAndOneAfterIt() throws IOException {
        java.util.Random random = new java.util.Random(7); // random bytes do not compress: the output outgrows 1 MiB
        List<byte[]> large = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] line = new byte[50_000];
            random.nextBytes(line);
            large.add(line);
        }
        assertThat(gunzip(Gzip.compress(large, 1))).isEqualTo(joined(large));
        List<byte[]> small = List.of("{\"event\":1}".getBytes(), "{\"event\":2}".getBytes());
        assertThat(gunzip(Gzip.compress(small, 1))).isEqualTo(joined(small));
    }

    @Provide
    Arbitrary<List<List<byte[]>>> bodies() {
        Arbitrary<byte[]> line = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20).map(word -> repeated(word.charAt(0), 70_000)));
        return line.list().ofMaxSize(40).list().ofMinSize(1).ofMaxSize(4);
    }

    private static byte[] repeated(char c, int times) {
        byte[] bytes = new byte[times];
        java.util.Arrays.fill(bytes, (byte) c);
        return bytes;
    }

    private static byte[] joined(List<byte[]> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            out.writeBytes(line);
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }
}
