package io.dnstapforwarder.bench.jmh;

import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
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

/** dnstap → HEC JSON, one event: the shipper's per-event work before batching (issue 4: ≤ 2 µs). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RenderBenchmark {

    private List<DnstapEvent> events;
    private HecEventRenderer renderer;
    private int next;

    @Setup
    public void setUp() throws Exception {
        events = Samples.events(10_000);
        renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));
    }

    @Benchmark
    public byte[] render() {
        DnstapEvent event = events.get(next);
        next = next + 1 == events.size() ? 0 : next + 1;
        return renderer.render(event);
    }
}
