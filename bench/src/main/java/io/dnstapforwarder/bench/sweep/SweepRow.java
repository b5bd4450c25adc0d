package io.dnstapforwarder.bench.sweep;

import java.util.List;
import java.util.Locale;

/** What one rate cost. Rates and CPU shares are per second; CPU per message in microseconds. */
record SweepRow(long target, double sentPerSecond, double publishedPerSecond, double deliveredPerSecond, double brokerCpu,
        double collectorCpu, double shipperCpu, double p50, double p99, double max) {

    double brokerMicrosPerMessage() {
        return perMessage(brokerCpu, publishedPerSecond);
    }

    double collectorMicrosPerMessage() {
        return perMessage(collectorCpu, publishedPerSecond);
    }

    double shipperMicrosPerMessage() {
        return perMessage(shipperCpu, deliveredPerSecond);
    }

    private static double perMessage(double cpuShare, double messagesPerSecond) {
        return messagesPerSecond > 0 ? cpuShare / messagesPerSecond * 1e6 : 0;
    }

    String line() {
        return String.format(Locale.ROOT, "rate %s: sent %,.0f/s, published %,.0f/s, delivered %,.0f/s; CPU broker %.1f %% "
                + "(%.1f µs/msg), collector %.1f %% (%.1f µs/msg), shipper %.1f %% (%.1f µs/msg); latency p50 %.3f s "
                + "p99 %.3f s max %.3f s", target() == 0 ? "full" : String.format(Locale.ROOT, "%,d", target()),
                sentPerSecond(), publishedPerSecond(), deliveredPerSecond(), 100 * brokerCpu(),
                brokerMicrosPerMessage(), 100 * collectorCpu(), collectorMicrosPerMessage(),
                100 * shipperCpu(), shipperMicrosPerMessage(), p50(), p99(), max());
    }

    static String table(List<SweepRow> rows) {
        StringBuilder table = new StringBuilder("| rate asked | published/s | delivered/s | broker | collector | shipper "
                + "| collector + shipper per msg | latency p50 / p99 / max |\n|---|---|---|---|---|---|---|---|\n");
        for (SweepRow row : rows) {
            table.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.1f %%, %.1f µs/msg | %.1f %%, %.1f µs/msg "
                    + "| %.1f %%, %.1f µs/msg | %.1f µs | %.3f / %.3f / %.3f s |%n",
                    row.target() == 0 ? "full speed" : String.format(Locale.ROOT, "%,d", row.target()),
                    row.publishedPerSecond(), row.deliveredPerSecond(), 100 * row.brokerCpu(), row.brokerMicrosPerMessage(),
                    100 * row.collectorCpu(), row.collectorMicrosPerMessage(), 100 * row.shipperCpu(),
                    row.shipperMicrosPerMessage(), row.collectorMicrosPerMessage() + row.shipperMicrosPerMessage(),
                    row.p50(), row.p99(), row.max()));
        }
        return table.toString();
    }
}
