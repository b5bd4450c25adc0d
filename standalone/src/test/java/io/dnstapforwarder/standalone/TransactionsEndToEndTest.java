package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.collector.CollectorConfig;
import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.shipper.HecConfig;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One event per DNS transaction through the whole path: Unbound's real capture into the collector,
 * keyed by transaction, over a Unix socket and over TCP, through Kafka (3 partitions) into a shipper
 * that pairs; the shipper stopped while the second copy arrives, and a new one pairing it after.
 */
@Timeout(180)
class TransactionsEndToEndTest {

    private static final String TOKEN = "5d6a3c2e-0000-4000-8000-0000000070a1";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final HecEmulator hec = HecEmulator.start(TOKEN);
    private final String topic = TestKafka.createTopic(TestKafka.uniqueTopic("transactions"), 3);
    private final String group = TestKafka.uniqueTopic("transactions-group");
    private final String deadLetters = TestKafka.createTopic(TestKafka.uniqueTopic("transactions-dlq"), 1);
    private Collector collector;
    private Shipper shipper;

    @AfterEach
    void stop() {
        if (shipper != null) {
            shipper.close();
        }
        if (collector != null) {
            collector.close();
        }
        hec.close();
    }

    @Test
    void pairsEveryQueryWithItsResponseOverUnixAndTcpAndAcrossAShipperRestart() throws Exception {
        collector = Collector.start(new CollectorConfig("tx-collector",
                CollectorConfig.Listen.unixAndTcp(dir.resolve("dnstap.sock"), new HostPort("127.0.0.1", 0)),
                CollectorConfig.Limits.DEFAULTS, TestKafka.bootstrapServers(), topic, Map.of(),
                CollectorConfig.Monitoring.at(null), PartitionKey.TRANSACTION));
        shipper = startShipper();

        List<byte[]> frames = FrameStreamTestClient.replay(TestData.path(TestData.UNBOUND_SMALL),
                UnixDomainSocketAddress.of(dir.resolve("dnstap.sock")), true);
        int transactions = frames.size() / 2;
        List<JsonNode> overUnix = hec.awaitEvents(transactions, WAIT);
        await().atMost(WAIT).until(() -> TestKafka.committed(group, topic).equals(TestKafka.endOffsets(topic)));
        shipper.close();

        FrameStreamTestClient.replay(TestData.path(TestData.UNBOUND_SMALL), tcp(), false); // while no shipper runs
        shipper = startShipper();
        List<JsonNode> events = hec.awaitEvents(2 * transactions, WAIT);
        await().atMost(WAIT).until(() -> TestKafka.committed(group, topic).equals(TestKafka.endOffsets(topic)));

        assertThat(overUnix).hasSize(transactions);
        assertThat(events).hasSize(2 * transactions).allSatisfy(event -> {
            assertThat(event.at("/event/transaction").asText()).isEqualTo("paired");
            assertThat(event.at("/event/duration").decimalValue()).isNotNegative();
        });
        Map<String, Integer> copies = new HashMap<>();
        events.forEach(event -> copies.merge(event.at("/event/collector_peer").asText().split(" ")[0] + " "
                + event.at("/event/src_port").asText() + " " + event.at("/event/transaction_id").asText(), 1, Integer::sum));
        assertThat(copies.keySet().stream().filter(key -> key.startsWith("unix "))).hasSize(transactions);
        assertThat(copies.keySet().stream().filter(key -> key.startsWith("tcp "))).hasSize(transactions);
    }

    private Shipper startShipper() throws IOException {
        return Shipper.start(ShipperConfig.builder("tx-shipper",
                new ShipperConfig.Kafka(TestKafka.bootstrapServers(), topic, group, deadLetters, Map.of()), dir)
                .hec(HecConfig.to(hec.url(), TOKEN).withRetries(Duration.ofMillis(50), Duration.ofSeconds(2), 3))
                .batching(new ShipperConfig.Batching(100, 1_000_000, Duration.ofMillis(200)))
                .transactions(PairingSettings.ON).build());
    }

    private InetSocketAddress tcp() {
        return collector.listeners().stream().map(listener -> listener.localAddress())
                .filter(InetSocketAddress.class::isInstance).map(InetSocketAddress.class::cast).findFirst().orElseThrow();
    }
}
