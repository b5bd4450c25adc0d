package io.dnstapforwarder.bench.jmh;

import io.dnstapforwarder.shipper.hec.Gzip;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** gzip of a 1 MB batch of real HEC events, at the compression levels worth considering. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GzipBenchmark {

    @Param({"1", "3", "6"})
    public int level;

    private byte[] batch;
    private final List<byte[]> eventList = new ArrayList<>();
    private int events;

    @Setup
    public void setUp() throws Exception {
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        for (var event : Samples.events(10_000)) {
            byte[] json = renderer.render(event);
            if (out.size() + json.length + 1 > 1_000_000) {
                break;
            }
            out.write(json);
            out.write('\n');
            eventList.add(json);
            events++;
        }
        batch = out.toByteArray();
        System.out.printf("%nbatch: %d events, %d bytes, %.0f bytes/event%n", events, batch.length,
                (double) batch.length / events);
    }

    /**
     * The shipper's own compression of a request body: its events, staged in 64 KiB chunks, by this
     * thread's deflater and buffers, reused from body to body.
     */
    @Benchmark
    public byte[] gzip() {
        return Gzip.compress(eventList, level);
    }

    /** The same chunks through a new {@code GZIPOutputStream} per body (the shipper until 2026-12-08). */
    @Benchmark
    public byte[] gzipNewStreamPerBody() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(batch.length / 4 + 64, 256 * 1024));
        try (java.io.OutputStream gzip = new java.io.BufferedOutputStream(gzipAtLevel(out), 64 * 1024)) {
            for (byte[] event : eventList) {
                gzip.write(event);
                gzip.write('\n');
            }
        }
        return out.toByteArray();
    }

    /** The body made whole first, then compressed in one write: a body-sized array per request. */
    @Benchmark
    public byte[] gzipWholeBody() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(batch.length / 4);
        try (GZIPOutputStream gzip = gzipAtLevel(out)) {
            gzip.write(batch);
        }
        return out.toByteArray();
    }

    /** The same batch written to the compressor event by event, each followed by its newline. */
    @Benchmark
    public byte[] gzipEventByEvent() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(batch.length / 4);
        try (GZIPOutputStream gzip = gzipAtLevel(out)) {
            for (byte[] event : eventList) {
                gzip.write(event);
                gzip.write('\n');
            }
        }
        return out.toByteArray();
    }

    private GZIPOutputStream gzipAtLevel(ByteArrayOutputStream out) throws IOException {
        return new GZIPOutputStream(out, 64 * 1024) {
            {
                def.setLevel(level);
            }
        };
    }
}
