package io.dnstapforwarder.shipper.cli;

import io.dnstapforwarder.config.BuildVersion;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.ConfigFileOption;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.shipper.consume.Bounds;
import io.dnstapforwarder.shipper.deadletter.DeadLetterTopic;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code dnstap-forwarder dlq redrive}: the dead-letter topic's records, once their cause is fixed. */
@Command(name = "dlq", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "Work with the dead-letter topic.", subcommands = DlqCommand.Redrive.class)
public final class DlqCommand implements Runnable {

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: redrive");
    }

    /** Where redriven records go. */
    enum Target { hec, topic }

    @Command(name = "redrive", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
            description = {"Send the dead-letter topic's records again once their cause is fixed, then delete them from "
                    + "it. Records that fail again go back to the dead-letter topic (attempts + 1) and stay.",
                "--target hec (the default) delivers them to Splunk HEC like the shipper; --target topic puts them back "
                        + "on the main topic for the running shippers."})
    static final class Redrive implements Callable<Integer> {

        @Mixin
        private ShipperOptions shipper;

        @Mixin
        private KafkaOptions kafka;

        @Mixin
        private ConfigFileOption configFile;

        @Option(names = "--target", paramLabel = "hec|topic", defaultValue = "hec",
                description = "hec: deliver to Splunk HEC; topic: publish back to the main topic. Default: ${DEFAULT-VALUE}.")
        private Target target;

        @Option(names = "--redrive-group", paramLabel = "GROUP", defaultValue = "dnstap-dlq-redrive",
                description = "Consumer group reading the dead-letter topic (--target hec). Default: ${DEFAULT-VALUE}.")
        private String group;

        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ShipperConfig base = shipper.toConfig(kafka, null);
            ShipperConfig.Kafka cluster = base.kafka();
            DeadLetterTopic deadLetters = new DeadLetterTopic(cluster.bootstrap(), cluster.properties(),
                    cluster.deadLetterTopic(), cluster.topic());
            if (target == Target.topic) {
                LoggerFactory.getLogger(Redrive.class).info("dlq redrive configuration: {}", Cli.effectiveOptions(spec));
                deadLetters.deleteUpTo(deadLetters.copyBack());
                return 0;
            }
            ShipperConfig config = base.withKafka(base.kafka().reading(base.kafka().deadLetterTopic(), group));
            return BoundedRuns.run("dlq redrive", spec, config, Bounds.EVERYTHING,
                    summary -> deadLetters.deleteUpTo(redriven(summary)));
        }
    }

    /**
     * Per partition of the dead-letter topic, the offset before which every record was redriven:
     * what the run committed, and never past the end of its range (records dead-lettered again
     * during the run are appended after it, and stay).
     */
    static Map<TopicPartition, Long> redriven(Shipper.Summary summary) {
        Map<TopicPartition, Long> redriven = new HashMap<>();
        summary.range().end().forEach((partition, end) -> {
            long committed = summary.committed().getOrDefault(partition, summary.range().start().get(partition));
            redriven.put(partition, Math.min(end, committed));
        });
        return redriven;
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new DlqCommand(), System.getenv(), args));
    }
}
