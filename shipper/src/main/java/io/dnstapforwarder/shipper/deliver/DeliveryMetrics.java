package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.hec.HecRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;

/** The shipper's own meters beyond the component counters: request sizes and dead-lettered events. */
final class DeliveryMetrics {

    private final DistributionSummary requestEvents;
    private final DistributionSummary requestBytes;
    private final Counter deadLettered;

    DeliveryMetrics(ComponentMetrics metrics) {
        this.requestEvents = DistributionSummary.builder("dnstap.shipper.request.events").baseUnit("events")
                .description("Events per request").tags(metrics.tags()).register(metrics.registry());
        this.requestBytes = DistributionSummary.builder("dnstap.shipper.request.size").baseUnit("bytes")
                .description("Uncompressed bytes per request").tags(metrics.tags()).register(metrics.registry());
        this.deadLettered = Counter.builder("dnstap.shipper.dead.lettered").baseUnit("events")
                .description("Events put on the dead-letter topic").tags(metrics.tags()).register(metrics.registry());
    }

    void request(HecRequest batch) {
        requestEvents.record(batch.size());
        requestBytes.record(batch.bytes());
    }

    void deadLettered(int events) {
        deadLettered.increment(events);
    }

    long deadLetteredEvents() {
        return (long) deadLettered.count();
    }
}
