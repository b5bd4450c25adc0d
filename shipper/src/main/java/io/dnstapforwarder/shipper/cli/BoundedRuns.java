package io.dnstapforwarder.shipper.cli;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.ops.Lifecycle;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.shipper.consume.Bounds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;

/** Runs a bounded shipping job (replay, redrive) from the command line and reports how it went. */
final class BoundedRuns {

    private static final Logger log = LoggerFactory.getLogger(BoundedRuns.class);
    /** Exit status of a job stopped by a signal before its end: run it again to resume. */
    static final int EXIT_INTERRUPTED = 3;

    /** What to do once the whole range is delivered, before the command exits. */
    interface AfterCompletion {
        void accept(Shipper.Summary summary) throws Exception;
    }

    private BoundedRuns() {
    }

    static int run(String name, CommandSpec spec, ShipperConfig config, Bounds bounds, AfterCompletion after)
            throws Exception {
        log.info("{} configuration: {}", name, Cli.effectiveOptions(spec));
        Shipper shipper = Shipper.startBounded(config, bounds);
        Lifecycle.runUntil(name, shipper, shipper.ended());
        Shipper.Summary summary = shipper.summary();
        if (summary.failure() instanceof Exception failure) { // for the command line to report, in one line if Kafka's
            throw failure;
        }
        if (!summary.completed()) {
            log.warn("{} stopped before the end of its range: {} events delivered, {} dead-lettered; run the same "
                    + "command again to resume (group {})", name, summary.delivered(), summary.deadLettered(),
                    config.kafka().group());
            return EXIT_INTERRUPTED;
        }
        after.accept(summary);
        log.info("{} done: {} events delivered, {} dead-lettered, offsets {} to {} of {} (group {})", name,
                summary.delivered(), summary.deadLettered(), summary.range().start(), summary.range().end(),
                config.kafka().topic(), config.kafka().group());
        return 0;
    }
}
