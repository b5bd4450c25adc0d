package io.dnstapforwarder.shipper.enrich;

import io.dnstapforwarder.metrics.ComponentMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code dnstap_shipper_suspicious_events_total{reason}}: the events rendered with each
 * {@link SuspiciousReason}, for the dashboard and alerts (the names themselves are in Splunk: a
 * metric per name would be unbounded). Workers count without contention.
 */
public final class SuspiciousCounts {

    private final LongAdder[] counts = new LongAdder[SuspiciousReason.values().length];

    public SuspiciousCounts() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** Counts an event with {@code reasons}, a set of {@link SuspiciousReason#bit()}s. */
    void count(int reasons) {
        for (SuspiciousReason reason : SuspiciousReason.values()) {
            if (reason.in(reasons)) {
                counts[reason.ordinal()].increment();
            }
        }
    }

    /** The events counted with {@code reason}. */
    public long count(SuspiciousReason reason) {
        return counts[reason.ordinal()].sum();
    }

    /** Publishes the counts as a counter per reason. */
    public void register(ComponentMetrics metrics) {
        for (SuspiciousReason reason : SuspiciousReason.values()) {
            FunctionCounter.builder("dnstap.shipper.suspicious.events", counts[reason.ordinal()], LongAdder::sum)
                    .description("Events sent with this reason in query_suspicious (--enrich suspicious)")
                    .baseUnit("events").tags(metrics.tags()).tag("reason", reason.fieldValue())
                    .register(metrics.registry());
        }
    }
}
