package io.dnstapforwarder.deployment;

import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.collector.CollectorConfig;
import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.shipper.HecConfig;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A collector and a shipper as the monitoring tests run them: on the tests' Kafka, listening on
 * loopback, each with its ops endpoint on a free port, keyed and batched as in production.
 */
final class LocalServices {

    private LocalServices() {
    }

    /** A collector on a Unix socket in {@code dir} and a free TCP port, keying by transaction. */
    static Collector collector(String id, Path dir, String topic) throws IOException {
        return Collector.start(new CollectorConfig(id,
                CollectorConfig.Listen.unixAndTcp(dir.resolve("dnstap.sock"), new HostPort("127.0.0.1", 0)),
                CollectorConfig.Limits.DEFAULTS, TestKafka.bootstrapServers(), topic, Map.of(),
                CollectorConfig.Monitoring.at(new HostPort("127.0.0.1", 0)), PartitionKey.TRANSACTION));
    }

    /** A shipper's settings, in a group of its own, batches of 100 or 200 ms; the caller adds what it tests. */
    static ShipperConfig.Builder shipper(String id, Path dir, String topic, String deadLetters, HecConfig hec) {
        return ShipperConfig.builder(id, new ShipperConfig.Kafka(TestKafka.bootstrapServers(), topic,
                TestKafka.uniqueTopic(id + "-group"), deadLetters, Map.of()), dir).hec(hec)
                .batching(new ShipperConfig.Batching(100, 1_000_000, Duration.ofMillis(200)))
                .monitoring(new HostPort("127.0.0.1", 0));
    }

    /** The collector's TCP listener. */
    static InetSocketAddress tcp(Collector collector) {
        return (InetSocketAddress) collector.listeners().stream().map(listener -> listener.localAddress())
                .filter(InetSocketAddress.class::isInstance).findFirst().orElseThrow();
    }
}
