package io.dnstapforwarder.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters every component keeps, named as in Vector's instrumentation spec so that
 * dashboards read the same for collector and shipper: received (right after receipt), sent (only
 * after the next hop acknowledged), errors by type and stage, discarded by intent. Every meter is
 * tagged with {@code component.kind} and {@code component.id}. Prometheus exposes them as e.g.
 * {@code dnstap_component_sent_events_total}.
 */
public final class ComponentMetrics {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter receivedEvents;
    private final Counter receivedBytes;
    private final Counter sentEvents;
    private final Counter sentBytes;
    private final Counter discardedEvents;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    public ComponentMetrics(MeterRegistry registry, String kind, String id) {
        this.registry = registry;
        this.tags = Tags.of("component.kind", kind, "component.id", id);
        this.receivedEvents = counter("dnstap.component.received.events", "events", "Events received, counted right after receipt");
        this.receivedBytes = counter("dnstap.component.received.bytes", "bytes", "Bytes of the events received");
        this.sentEvents = counter("dnstap.component.sent.events", "events",
                "Events the next hop acknowledged (Kafka for the collector, Splunk HEC for the shipper)");
        this.sentBytes = counter("dnstap.component.sent.bytes", "bytes", "Bytes of the events the next hop acknowledged");
        this.discardedEvents = Counter.builder("dnstap.component.discarded.events").baseUnit("events")
                .description("Events received and lost for good, not on purpose (a shutdown that could not wait for "
                        + "Kafka, a record Kafka refuses for good)").tags(tags).tag("intentional", "false")
                .register(registry);
    }

    /** A registry for Prometheus scraping with JVM and process metrics bound. */
    public static PrometheusMeterRegistry newPrometheusRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        return registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The {@code component.kind} and {@code component.id} tags, for the component's own meters. */
    public Tags tags() {
        return tags;
    }

    public void received(long events, long bytes) {
        receivedEvents.increment(events);
        receivedBytes.increment(bytes);
    }

    public void sent(long events, long bytes) {
        sentEvents.increment(events);
        sentBytes.increment(bytes);
    }

    /** Events received and lost for good; never one that will be retried. */
    public void discarded(long events) {
        discardedEvents.increment(events);
    }

    /** Events received so far. */
    public long receivedEvents() {
        return (long) receivedEvents.count();
    }

    /** Events the next hop acknowledged so far. */
    public long sentEvents() {
        return (long) sentEvents.count();
    }

    /**
     * Counts one error. {@code errorType} must come from a bounded set (an enum's tag, never a
     * message).
     */
    public void error(String errorType, Stage stage) {
        errors.computeIfAbsent(errorType + '\n' + stage, key -> Counter.builder("dnstap.component.errors")
                .description("Errors, by type and by the stage they happened in")
                .tags(tags).tag("error.type", errorType).tag("stage", stage.tag())
                .register(registry)).increment();
    }

    private Counter counter(String name, String unit, String description) {
        return Counter.builder(name).baseUnit(unit).description(description).tags(tags).register(registry);
    }
}
