package io.dnstapforwarder.collector.monitor;

import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.time.Time;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.LatencyWindow;
import io.dnstapforwarder.metrics.RateMeter;
import io.dnstapforwarder.metrics.Stage;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything the collector counts, in one place and one call per occurrence: the component
 * counters Prometheus scrapes ({@link ComponentMetrics}), and the human-readable view /stats and
 * the performance log show from the same occurrences (rates over 1, 5 and 15 minutes, publish
 * latency percentiles over a bounded window). Thread-safe.
 */
public final class CollectorMetrics {

    private final ComponentMetrics component;
    private final RateMeter received;
    private final RateMeter published;
    private final LongAdder failed = new LongAdder();
    private final LatencyWindow publishLatency;
    private final Timer publishTimer;
    private final Map<Transport, DistributionSummary> backlogs = new EnumMap<>(Transport.class);

    public CollectorMetrics(ComponentMetrics component, int maxLatencySamples, Time time) {
        this.component = component;
        this.received = new RateMeter(time::nanoTime);
        this.published = new RateMeter(time::nanoTime);
        this.publishLatency = new LatencyWindow(maxLatencySamples);
        this.publishTimer = Timer.builder("dnstap.collector.publish.latency")
                .description("From handing a frame to the Kafka producer to Kafka's acknowledgement")
                .tags(component.tags()).publishPercentileHistogram().register(component.registry());
        for (Transport transport : List.of(Transport.UNIX, Transport.TCP, Transport.TLS)) {
            backlogs.put(transport, DistributionSummary.builder("dnstap.collector.read.backlog")
                    .description("Bytes a connection's reader took from one wake-up until the socket was empty: what the "
                            + "DNS server had written ahead of the collector. Near the socket's buffer (about 208 KB for "
                            + "a Unix socket by default) the server blocks, and drops what its own queue cannot hold")
                    .baseUnit("bytes").tags(component.tags()).tag("transport", transport.name().toLowerCase(Locale.ROOT))
                    .register(component.registry()));
        }
    }

    public MeterRegistry registry() {
        return component.registry();
    }

    public Tags tags() {
        return component.tags();
    }

    /** Frames read from DNS servers, with their bytes. */
    public void received(long frames, long bytes) {
        component.received(frames, bytes);
        received.mark(frames);
    }

    /** One frame of {@code bytes} Kafka acknowledged, {@code nanos} after it was handed to the producer. */
    public void published(long bytes, long nanos) {
        component.sent(1, bytes);
        published.mark(1);
        publishLatency.record(nanos);
        publishTimer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One frame Kafka refused for good. */
    public void failed(String errorType) {
        failed.increment();
        component.error(errorType, Stage.SENDING);
    }

    /**
     * A reader's backlog: the bytes it read from a wake-up until its socket had no more. The
     * summary's maximum is what an alert watches.
     */
    public void backlogRead(Transport transport, long bytes) {
        backlogs.get(transport).record(bytes);
    }

    /** Frames received and lost for good (not on purpose): counted apart from the errors that caused it. */
    public void discarded(long frames) {
        component.discarded(frames);
    }

    /** An error that loses no frame (a protocol violation ends its connection; Kafka unavailable is retried). */
    public void error(String errorType, Stage stage) {
        component.error(errorType, stage);
    }

    public long receivedTotal() {
        return received.total();
    }

    public long publishedTotal() {
        return published.total();
    }

    public long failedTotal() {
        return failed.sum();
    }

    public LatencyWindow.Percentiles publishLatency() {
        return publishLatency.percentiles();
    }

    /** For /stats. */
    public Map<String, Object> describe() {
        Map<String, Object> frames = new LinkedHashMap<>();
        frames.put("received", receivedTotal());
        frames.put("published", publishedTotal());
        frames.put("failed", failedTotal());
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("received_per_second", received.rates());
        rates.put("published_per_second", published.rates());
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("frames", frames);
        description.put("rates", rates);
        description.put("publish_latency", publishLatency().toMap());
        return description;
    }
}
