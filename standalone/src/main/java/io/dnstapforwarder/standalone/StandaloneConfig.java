package io.dnstapforwarder.standalone;

import io.dnstapforwarder.collector.CollectorConfig;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.shipper.ShipperConfig;
import java.nio.file.Path;

/**
 * @param kafkaListen where the embedded Kafka listens (and where collector and shipper connect)
 * @param partitions partitions of the events topic, when it is created
 * @param dataDir everything local: Kafka's log, the socket, events.jsonl
 */
public record StandaloneConfig(HostPort kafkaListen, int partitions, Path dataDir, CollectorConfig collector,
        ShipperConfig shipper) {

    public Path kafkaDataDir() {
        return dataDir.resolve("kafka");
    }
}
