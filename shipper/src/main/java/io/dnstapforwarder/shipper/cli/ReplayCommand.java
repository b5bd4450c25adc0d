package io.dnstapforwarder.shipper.cli;

import io.dnstapforwarder.config.BuildVersion;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.ConfigFileOption;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.shipper.consume.Bounds;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dnstap-forwarder replay --from T1 --to T2}: ships again the events the collector received
 * in that time range, with a consumer group of its own, so the running shippers are not disturbed.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = {"Ship again to Splunk HEC the events of a time range of the topic, e.g. after Splunk lost "
                + "data. Uses a consumer group of its own; ends when the range is delivered.",
            "Run it again with the same range to resume an interrupted replay; with another --replay-group to send "
                    + "the range once more."})
public final class ReplayCommand implements Callable<Integer> {

    @Mixin
    private ShipperOptions shipper;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private ConfigFileOption configFile;

    @Option(names = "--from", required = true, paramLabel = "TIME",
            description = "Start of the range, included: an ISO-8601 instant such as 2026-11-29T10:00:00Z.")
    private Instant from;

    @Option(names = "--to", required = true, paramLabel = "TIME",
            description = "End of the range, excluded: an ISO-8601 instant.")
    private Instant to;

    @Option(names = "--replay-group", paramLabel = "GROUP",
            description = "Consumer group of the replay. Default: dnstap-replay-<from>-<to> in epoch seconds.")
    private String group;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!from.isBefore(to)) {
            throw ConfigException.invalid("--to", to, "must be after --from (" + from + ")");
        }
        ShipperConfig base = shipper.toConfig(kafka, null);
        String replayGroup = group != null ? group : "dnstap-replay-" + from.getEpochSecond() + "-" + to.getEpochSecond();
        ShipperConfig config = base.withKafka(base.kafka().reading(base.kafka().topic(), replayGroup));
        return BoundedRuns.run("replay", spec, config, new Bounds(from, to), summary -> { });
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new ReplayCommand(), System.getenv(), args));
    }
}
