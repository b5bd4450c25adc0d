package io.dnstapforwarder.bench;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A single-node KRaft broker in a process of its own, so that benchmarks measure the collector
 * and the broker as they run in production: separately.
 */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Run a single-node Kafka broker until stopped.")
public final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--data-dir", required = true, description = "Log directory of the broker.")
    private Path dataDir;

    @Option(names = "--listen", defaultValue = "127.0.0.1:9092", converter = HostPort.Converter.class,
            description = "Client listener. Default: ${DEFAULT-VALUE}.")
    private HostPort listen;

    @Option(names = "--topic", description = "Topics to create, as NAME:PARTITIONS.", split = ",")
    private String[] topics = new String[0];

    @Option(names = "--property", description = "A broker setting, KEY=VALUE, over the embedded defaults.")
    private Map<String, String> properties = new java.util.LinkedHashMap<>();

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return Cli.runService("broker", spec, () -> {
            Map<String, String> settings = new java.util.HashMap<>(Map.of("log.retention.bytes", "2000000000"));
            settings.putAll(properties);
            EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, listen.host(), listen.port(), settings);
            for (String topic : topics) {
                String[] parts = topic.split(":");
                kafka.createTopic(parts[0], parts.length > 1 ? Integer.parseInt(parts[1]) : 1);
            }
            // What scripts wait for (bench/drain-benchmark.sh): the broker listens and its topics exist.
            org.slf4j.LoggerFactory.getLogger(BrokerCommand.class).info("broker ready, topics {}", topics);
            return kafka;
        });
    }
}
