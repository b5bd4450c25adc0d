package io.dnstapforwarder.bench.jmh;

import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEventEncoder;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the collector adds per frame to key its Kafka record by transaction: the envelope as the
 * collector encodes it ({@code encode}, the work it did before), and the same plus the peek and
 * the key ({@code encodeAndKey}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TransactionKeyBenchmark {

    private List<ByteBuffer> frames;
    private DnstapEventEncoder encoder;
    private final DnstapPeek peek = new DnstapPeek();
    private int next;

    @Setup
    public void setUp() throws Exception {
        List<DnstapEvent> events = Samples.events(10_000);
        encoder = new DnstapEventEncoder(events.get(0));
        // Heap buffers, as the collector's reader hands over (encode does not move them).
        frames = events.stream().map(event -> ByteBuffer.wrap(event.getFrame().toByteArray())).toList();
    }

    @Benchmark
    public byte[] encode() {
        return encoder.encode(frame(), 0);
    }

    @Benchmark
    public byte[] encodeAndKey() {
        byte[] event = encoder.encode(frame(), 0);
        TransactionKey key = peek.read(event) ? TransactionKey.of(peek) : null;
        return key != null ? key.partitionKey() : event;
    }

    private ByteBuffer frame() {
        ByteBuffer frame = frames.get(next);
        next = next + 1 == frames.size() ? 0 : next + 1;
        return frame;
    }
}
