package io.dnstapforwarder.collector;

import io.dnstapforwarder.config.BuildVersion;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.ConfigFileOption;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.config.MonitoringOptions;
import io.dnstapforwarder.config.TopicOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code dnstap-forwarder collector}: the collector alone, against an existing Kafka. */
@Command(name = "collector", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "Accept dnstap over Frame Streams (Unix socket, TCP) and publish every frame to Kafka.")
public final class CollectorCommand implements Callable<Integer> {

    @Mixin
    private CollectorOptions collector;

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
        CollectorConfig config = collector.toConfig(kafka, null, CollectorConfig.Listen.DEFAULT_TCP, monitoring.endpoint("0.0.0.0", 8080),
                monitoring.performanceLogInterval());
        return Cli.runService("collector", spec, () -> {
            topics.createIfAsked(config.kafkaBootstrap(), "dnstap-collector-topics", config.kafkaProperties(),
                    topics.events(config.topic()));
            return Collector.start(config);
        });
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new CollectorCommand(), System.getenv(), args));
    }
}
