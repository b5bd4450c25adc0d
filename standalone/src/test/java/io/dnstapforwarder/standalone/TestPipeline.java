package io.dnstapforwarder.standalone;

import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.collector.CollectorConfig;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.HecConfig;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.shipper.shape.Shaping;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The whole pipeline for an end-to-end test: a collector on a Unix socket and on TCP, a topic of
 * 3 partitions with its dead-letter topic on the test broker, and a shipper delivering to
 * {@code hec} with short retries.
 */
final class TestPipeline implements AutoCloseable {

    final String deadLetterTopic;
    final Collector collector;
    final Shipper shipper;
    private final Path dir;

    private TestPipeline(Path dir, String deadLetterTopic, Collector collector, Shipper shipper) {
        this.dir = dir;
        this.deadLetterTopic = deadLetterTopic;
        this.collector = collector;
        this.shipper = shipper;
    }

    /** @param monitoring whether the shipper serves its ops endpoint (on a free port) */
    static TestPipeline start(String name, Path dir, HecEmulator hec, boolean monitoring) throws IOException {
        return start(name, dir, hec, monitoring, Shaping.NONE);
    }

    /** The same, shipping what {@code shaping} lets through. */
    static TestPipeline start(String name, Path dir, HecEmulator hec, boolean monitoring, Shaping shaping)
            throws IOException {
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic(name), 3);
        String deadLetters = TestKafka.createTopic(TestKafka.uniqueTopic(name + "-dlq"), 1);
        Collector collector = Collector.start(new CollectorConfig(name + "-collector",
                CollectorConfig.Listen.unixAndTcp(dir.resolve("dnstap.sock"), new HostPort("127.0.0.1", 0)),
                CollectorConfig.Limits.DEFAULTS, TestKafka.bootstrapServers(), topic, Map.of(),
                CollectorConfig.Monitoring.at(null), PartitionKey.NONE));
        Shipper shipper = Shipper.start(ShipperConfig.builder(name + "-shipper",
                new ShipperConfig.Kafka(TestKafka.bootstrapServers(), topic, TestKafka.uniqueTopic(name + "-group"),
                        deadLetters, Map.of()), dir)
                .hec(HecConfig.to(hec.url(), hec.token()).withRetries(Duration.ofMillis(50), Duration.ofSeconds(2), 3))
                .batching(new ShipperConfig.Batching(100, 1_000_000, Duration.ofMillis(200)))
                .monitoring(monitoring ? new HostPort("127.0.0.1", 0) : null).shaping(shaping).build());
        return new TestPipeline(dir, deadLetters, collector, shipper);
    }

    SocketAddress unixSocket() {
        return UnixDomainSocketAddress.of(dir.resolve("dnstap.sock"));
    }

    SocketAddress tcp() {
        return collector.listeners().stream().map(listener -> listener.localAddress())
                .filter(InetSocketAddress.class::isInstance).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        collector.close();
        shipper.close();
    }
}
