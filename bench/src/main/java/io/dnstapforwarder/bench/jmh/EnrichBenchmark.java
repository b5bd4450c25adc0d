package io.dnstapforwarder.bench.jmh;

import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.shipper.enrich.GeoDatabases;
import io.dnstapforwarder.shipper.enrich.NameShape;
import io.dnstapforwarder.shipper.enrich.PublicSuffixes;
import io.dnstapforwarder.shipper.enrich.SuspicionRules;
import io.dnstapforwarder.shipper.render.ClientPrivacy;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * {@code --enrich registered-domain,name-shape,suspicious}: the registered domain of one name, with
 * the name's shape (≤ 0.5 µs together), and with the reasons it is suspicious, on names under
 * suffixes of every kind the list has (one label, two, wildcard, private, IDN in A-labels,
 * unknown); where an address is ({@code geoip}, in the file of {@code -Ddnstap.bench.geoip}, or
 * the small test database); and an event of the Unbound capture rendered with all four and without.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EnrichBenchmark {

    private static final String[] SUFFIXES = {"com", "net", "org", "co.uk", "com.au", "github.io", "duckdns.org",
        "s3.amazonaws.com", "cloudfront.net", "xn--55qx5d.cn", "kobe.jp", "example", "local", "de", "ru"};

    /** A MaxMind DB file to look addresses up in: a real one (DB-IP Lite) gives real tree depths. */
    public static final String GEOIP_PROPERTY = "dnstap.bench.geoip";

    private PublicSuffixes suffixes;
    private GeoDatabases geoip;
    private final byte[][] addresses = new byte[4096][];
    private final NameShape.Meter meter = new NameShape.Meter();
    private List<String> names;
    private List<DnstapEvent> events;
    private HecEventRenderer plain;
    private HecEventRenderer enriched;
    private int next;
    private int nextEvent;

    @Setup
    public void setUp() throws Exception {
        suffixes = PublicSuffixes.bundled();
        Random random = new Random(7);
        names = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            StringBuilder name = new StringBuilder();
            for (int labels = 1 + random.nextInt(3); labels > 0; labels--) {
                name.append(Long.toString(random.nextLong() & 0xFFFFFFFFL, 36)).append('.');
            }
            names.add(name.append(SUFFIXES[random.nextInt(SUFFIXES.length)]).toString());
        }
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = new byte[i % 8 == 0 ? 16 : 4]; // one in eight IPv6, as on a dual-stack resolver
            random.nextBytes(addresses[i]);
            if (i % 8 == 0) {
                addresses[i][0] = 0x2a; // global unicast
            }
        }
        String database = System.getProperty(GEOIP_PROPERTY);
        List<Path> databases = List.of(database != null ? Path.of(database)
                : Path.of("testdata/maxmind/GeoLite2-Country-Test.mmdb").toAbsolutePath());
        geoip = GeoDatabases.open(databases);
        events = Samples.events(10_000);
        plain = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));
        enriched = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.FULL,
                ClientPrivacy.NONE, Enrichment.of(List.of("registered-domain", "name-shape", "suspicious", "geoip"), null,
                        null, databases)));
    }

    @Benchmark
    public PublicSuffixes.Split registeredDomain() {
        String name = names.get(next);
        next = (next + 1) & 4095;
        return suffixes.split(name);
    }

    @Benchmark
    public NameShape registeredDomainAndShape() {
        String name = names.get(next);
        next = (next + 1) & 4095;
        PublicSuffixes.Split split = suffixes.split(name);
        return meter.measure(name, split == null ? -1 : split.registeredStart());
    }

    @Benchmark
    public int registeredDomainShapeAndReasons() {
        String name = names.get(next);
        next = (next + 1) & 4095;
        PublicSuffixes.Split split = suffixes.split(name);
        return SuspicionRules.DEFAULT.reasons(name, meter.measure(name, split == null ? -1 : split.registeredStart()),
                1);
    }

    @Benchmark
    public GeoDatabases.Location geoipOfAnAddress() {
        byte[] address = addresses[next];
        next = (next + 1) & 4095;
        return geoip.locate(address);
    }

    @Benchmark
    public byte[] renderPlain() {
        return plain.render(nextEvent());
    }

    @Benchmark
    public byte[] renderEnriched() {
        return enriched.render(nextEvent());
    }

    private DnstapEvent nextEvent() {
        DnstapEvent event = events.get(nextEvent);
        nextEvent = nextEvent + 1 == events.size() ? 0 : nextEvent + 1;
        return event;
    }
}
