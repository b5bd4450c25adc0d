package io.dnstapforwarder.bench.jmh;

import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.shape.DropCounters;
import io.dnstapforwarder.shipper.shape.EventShaper;
import io.dnstapforwarder.shipper.shape.ServerMeters;
import io.dnstapforwarder.shipper.shape.Shaping;
import io.dnstapforwarder.shipper.shape.ShapingRules;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
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

/**
 * The shipper's work per record with shaping, from the Kafka record's bytes: what an event a rule
 * drops costs (issue 15: at most 0.3 µs), and what one kept costs in each profile.
 *
 * <ul>
 *   <li>{@code dropped}: every record is dropped, by the rule {@code rule} names; the records
 *       are chosen so ({@code responses-only}: the capture's queries; {@code suffix}: names under
 *       one of 100,000 domains; {@code sampled}: the ones a 1-in-10 sample leaves out).
 *   <li>{@code kept}: every record rendered, in {@code profile}.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ShapingBenchmark {

    @Param({"responses-only", "suffix", "sampled"})
    public String rule;

    @Param({"full", "cim", "compact"})
    public String profile;

    private List<byte[]> dropped;
    private List<byte[]> all;
    private EventShaper dropping;
    private EventShaper keeping;
    private int nextDropped;
    private int nextKept;

    @Setup
    public void setUp() throws Exception {
        all = new ArrayList<>();
        for (DnstapEvent event : Samples.events(10_000)) {
            all.add(event.toByteArray());
        }
        ShapingRules rules = ShapingRules.compile(shaping(rule));
        DropCounters drops = new DropCounters(new ComponentMetrics(new SimpleMeterRegistry(), "shipper", "bench"));
        // As the shipper runs it: counting per DNS server too.
        ServerMeters servers = new ServerMeters(new ComponentMetrics(new SimpleMeterRegistry(), "shipper", "bench"),
                ServerMeters.DEFAULT_MAX_SERVERS);
        dropping = new EventShaper(() -> rules, new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null)), drops,
                servers);
        dropped = new ArrayList<>();
        for (byte[] record : all) {
            if (dropping.render(record) == null) {
                dropped.add(record);
            }
        }
        if (dropped.isEmpty()) {
            throw new IllegalStateException("the rule " + rule + " drops none of the sample");
        }
        ShapingRules none = ShapingRules.compile(Shaping.builder().profile(EventProfile.named(profile)).build());
        keeping = new EventShaper(() -> none, new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null)), drops,
                servers);
    }

    private static Shaping shaping(String rule) {
        List<String> suffixes = new ArrayList<>(IntStream.range(0, 100_000).mapToObj(i -> "blocked-" + i + ".example")
                .toList());
        suffixes.add("test.example"); // the capture's names
        return switch (rule) {
            case "responses-only" -> Shaping.builder().responsesOnly(true).build();
            case "suffix" -> Shaping.builder().dropQuerySuffixes(suffixes).build();
            case "sampled" -> Shaping.builder().sampleRate(10).build();
            default -> throw new IllegalArgumentException(rule);
        };
    }

    @Benchmark
    public byte[] dropped() throws Exception {
        byte[] record = dropped.get(nextDropped);
        nextDropped = nextDropped + 1 == dropped.size() ? 0 : nextDropped + 1;
        return dropping.render(record);
    }

    @Benchmark
    public byte[] kept() throws Exception {
        byte[] record = all.get(nextKept);
        nextKept = nextKept + 1 == all.size() ? 0 : nextKept + 1;
        return keeping.render(record);
    }
}
