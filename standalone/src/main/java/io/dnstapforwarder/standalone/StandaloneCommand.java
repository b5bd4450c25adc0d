package io.dnstapforwarder.standalone;

import io.dnstapforwarder.collector.CollectorOptions;
import io.dnstapforwarder.config.BuildVersion;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.ConfigFileOption;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.config.MonitoringOptions;
import io.dnstapforwarder.shipper.cli.ShipperOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dnstap-forwarder standalone}: the whole pipeline in one process, with Kafka inside. */
@Command(name = "standalone", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = {"Run the whole pipeline in one process: embedded Kafka, collector and shipper.",
            "Kafka keeps its data in <data dir>/kafka and listens on --kafka-bootstrap, so other tools can read the topics."})
public final class StandaloneCommand implements Callable<Integer> {

    @Mixin
    private CollectorOptions collector;

    @Mixin
    private ShipperOptions shipper;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private MonitoringOptions monitoring;

    @Mixin
    private ConfigFileOption configFile;

    @Option(names = "--kafka-partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions of the events topic when standalone creates it. Default: ${DEFAULT-VALUE}.")
    private int partitions;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (partitions < 1) {
            throw ConfigException.invalid("--kafka-partitions", partitions, "must be at least 1");
        }
        HostPort collectorOps = monitoring.endpoint("127.0.0.1", 8080);
        HostPort shipperOps = collectorOps == null ? null : new HostPort(collectorOps.host(),
                collectorOps.port() == 0 ? 0 : collectorOps.port() + 1);
        StandaloneConfig config = new StandaloneConfig(parseBootstrap(kafka.bootstrap()), partitions,
                shipper.dataDir(),
                collector.toConfig(kafka, shipper.dataDir().resolve("dnstap.sock"), "127.0.0.1:6000", collectorOps,
                        monitoring.performanceLogInterval()),
                shipper.toConfig(kafka, shipperOps, monitoring.performanceLogInterval()));
        return Cli.runService("dnstap-forwarder", spec, () -> Standalone.start(config));
    }

    /** The embedded broker listens where clients are told to connect: one host:port. */
    private static HostPort parseBootstrap(String bootstrap) {
        try {
            return HostPort.parse(bootstrap);
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid("--kafka-bootstrap", bootstrap,
                    "must be one host:port for the embedded Kafka to listen on: " + e.getMessage());
        }
    }
}
