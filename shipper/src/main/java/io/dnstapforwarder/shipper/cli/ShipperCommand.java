package io.dnstapforwarder.shipper.cli;

import io.dnstapforwarder.config.BuildVersion;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.ConfigFileOption;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.config.MonitoringOptions;
import io.dnstapforwarder.config.TopicOptions;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.ShipperConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code dnstap-forwarder shipper}: the shipper alone, against an existing Kafka. */
@Command(name = "shipper", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "Consume dnstap events from Kafka and deliver them to Splunk HEC.")
public final class ShipperCommand implements Callable<Integer> {

    @Mixin
    private ShipperOptions shipper;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private TopicOptions topics;

    @Mixin
    private MonitoringOptions monitoring;

    @Mixin
    private ConfigFileOption configFile;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ShipperConfig config = shipper.toConfig(kafka, monitoring.endpoint("0.0.0.0", 8081),
                monitoring.performanceLogInterval());
        return Cli.runService("shipper", spec, () -> {
            ShipperConfig.Kafka kafkaConfig = config.kafka();
            topics.createIfAsked(kafkaConfig.bootstrap(), "dnstap-shipper-topics", kafkaConfig.properties(),
                    topics.events(kafkaConfig.topic()), topics.deadLetters(kafkaConfig.deadLetterTopic()));
            return Shipper.start(config);
        });
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new ShipperCommand(), System.getenv(), args));
    }
}
