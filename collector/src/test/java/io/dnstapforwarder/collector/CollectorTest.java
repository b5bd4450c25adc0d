package io.dnstapforwarder.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.ControlFrame;
import io.dnstapforwarder.fstrm.ControlType;
import io.dnstapforwarder.fstrm.FrameEncoder;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import io.dnstapforwarder.net.Network;
import io.dnstapforwarder.testkit.DnsPeers;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The collector with real sockets, a real broker and the frames of a real Unbound capture. */
@Timeout(120)
class CollectorTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private String topic;
    private Collector collector;
    private Path socket;
    private List<byte[]> capture;

    @BeforeEach
    void start() throws IOException {
        topic = TestKafka.createTopic(TestKafka.uniqueTopic("collector"), 3);
        socket = dir.resolve("dnstap.sock");
        collector = Collector.start(config(socket));
        capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
    }

    @AfterEach
    void stop() {
        collector.close();
    }

    @Test
    void publishesEveryFrameOfABidirectionalUnixStreamUntouchedWithItsEnvelope() throws Exception {
        Instant before = Instant.now();
        FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(socket), true);

        List<ConsumerRecord<byte[], byte[]>> records = TestKafka.read(topic, capture.size(), WAIT);

        assertThat(records).hasSize(652);
        List<DnstapEvent> events = records.stream().map(CollectorTest::parse).toList();
        assertThat(frames(events)).containsExactlyInAnyOrderElementsOf(strings(capture));
        DnstapEvent event = events.get(0);
        assertThat(event.getCollectorId()).isEqualTo("test-collector");
        assertThat(event.getContentType()).isEqualTo("protobuf:dnstap.Dnstap");
        assertThat(event.getTransport()).isEqualTo(Transport.UNIX);
        assertThat(event.getPeerAddress()).isEqualTo(socket.toAbsolutePath().toString());
        assertThat(event.getPeerPort()).isZero();
        assertThat(event.getReceivedAtNs()).isBetween(nanos(before), nanos(Instant.now()));
        assertThat(events).extracting(DnstapEvent::getConnectionId).containsOnly(event.getConnectionId());
        assertThat(records.get(0).headers().lastHeader("dnstap.schema").value())
                .isEqualTo("dnstapforwarder.v1.DnstapEvent".getBytes(StandardCharsets.UTF_8));
        assertThat(records).allSatisfy(record -> assertThat(record.key()).isNull()); // --partition-key none
        // What the Go dnstap-forwarder's users read: its JSON names, from the same meters.
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode seed = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + collector.monitoringPort() + "/metrics"))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(seed.get("events_processed").asLong()).isEqualTo(652);
            assertThat(seed.get("output_success").asLong()).isEqualTo(652);
            assertThat(seed.get("average_latency").asDouble()).isPositive();
            assertThat(seed.get("processing_errors").asLong()).isZero();
        });
    }

    @Test
    void keysEachRecordByItsTransactionSoThatAQueryLandsWithItsResponse() throws Exception {
        collector.close();
        String twelve = TestKafka.createTopic(TestKafka.uniqueTopic("keyed"), 12);
        CollectorConfig base = config(socket);
        collector = Collector.start(new CollectorConfig(base.collectorId(), base.listen(), base.limits(),
                base.kafkaBootstrap(), twelve, Map.of(), base.monitoring(), PartitionKey.TRANSACTION));

        FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(socket), true);
        List<ConsumerRecord<byte[], byte[]>> records = TestKafka.read(twelve, capture.size(), WAIT);

        // 326 transactions of a query and a response each: one key, one partition per transaction,
        // and the 12 partitions all used.
        assertThat(records).hasSize(652).allSatisfy(record -> assertThat(record.key()).hasSize(8));
        Map<String, Set<Integer>> partitionsByKey = records.stream().collect(Collectors.groupingBy(
                record -> HexFormat.of().formatHex(record.key()), Collectors.mapping(ConsumerRecord::partition,
                        Collectors.toSet())));
        assertThat(partitionsByKey).hasSize(326).allSatisfy((key, partitions) -> assertThat(partitions).hasSize(1));
        assertThat(records.stream().map(ConsumerRecord::partition).distinct()).hasSize(12);
    }

    @Test
    void publishesEveryFrameOfAUnidirectionalTcpStreamWithThePeerAddress() throws Exception {
        FrameStreamTestClient.send(capture, tcpAddress(), false);

        List<DnstapEvent> events = TestKafka.read(topic, capture.size(), WAIT).stream().map(CollectorTest::parse).toList();

        assertThat(frames(events)).containsExactlyInAnyOrderElementsOf(strings(capture));
        assertThat(events.get(0).getTransport()).isEqualTo(Transport.TCP);
        assertThat(events.get(0).getPeerAddress()).isEqualTo("127.0.0.1");
        assertThat(events.get(0).getPeerPort()).isPositive();
    }

    @Test
    void refusesTcpSendersOutsideAllowFromBeforeTheyTakeASlotAndTakesThoseInside() throws Exception {
        collector.close();
        CollectorConfig open = config(socket);
        // Loopback is outside 10.0.0.0/8 and 2001:db8::/32: every TCP sender of this test is refused...
        collector = Collector.start(new CollectorConfig(open.collectorId(), new CollectorConfig.Listen(socket, null,
                open.listen().tcp(), null, List.of(Network.parse("--allow-from", "10.0.0.0/8"),
                        Network.parse("--allow-from", "2001:db8::/32"))), open.limits().withMaxConnections(1),
                open.kafkaBootstrap(), topic, Map.of(), open.monitoring(), PartitionKey.NONE));
        for (int i = 0; i < 3; i++) {
            try (SocketChannel refused = FrameStreamTestClient.connect(tcpAddress())) {
                assertThat(refused.read(ByteBuffer.allocate(1))).as("closed at once").isEqualTo(-1);
            }
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics()).contains(
                "error_type=\"sender_not_allowed\",stage=\"receiving\"} 3.0"));
        // ... and never took the one slot: the Unix socket (not filtered) still gets it.
        FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(socket), true);
        assertThat(TestKafka.read(topic, capture.size(), WAIT)).hasSize(capture.size());

        collector.close();
        collector = Collector.start(new CollectorConfig(open.collectorId(), new CollectorConfig.Listen(socket, null,
                open.listen().tcp(), null, List.of(Network.parse("--allow-from", "127.0.0.0/8"))), open.limits(),
                open.kafkaBootstrap(), topic, Map.of(), open.monitoring(), PartitionKey.NONE));
        FrameStreamTestClient.send(capture, tcpAddress(), true);
        assertThat(TestKafka.read(topic, 2 * capture.size(), WAIT)).hasSize(2 * capture.size());
    }

    @Test
    void capsTheConnectionsOfOneSenderSoThatItCannotTakeEverySlot() throws Exception {
        collector.close();
        CollectorConfig open = config(socket);
        collector = Collector.start(new CollectorConfig(open.collectorId(), open.listen(),
                open.limits().withMaxConnectionsPerSender(2), open.kafkaBootstrap(), topic, Map.of(), open.monitoring(), PartitionKey.NONE));
        List<SocketChannel> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                SocketChannel channel = FrameStreamTestClient.connect(tcpAddress());
                held.add(channel);
                FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, true).flush();
            }
            await().atMost(WAIT).until(() -> activeConnections() == 2);
            try (SocketChannel third = FrameStreamTestClient.connect(tcpAddress())) {
                assertThat(third.read(ByteBuffer.allocate(1))).as("closed at once").isEqualTo(-1);
            }
            assertThat(metrics()).contains("dnstap_collector_connections_rejected_total");
            // Other senders (here the Unix socket's) still connect.
            FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(socket), true);
            assertThat(TestKafka.read(topic, capture.size(), WAIT)).hasSize(capture.size());
        } finally {
            for (SocketChannel channel : held) {
                channel.close();
            }
        }
        await().atMost(WAIT).until(() -> activeConnections() == 0);
        FrameStreamTestClient.send(capture, tcpAddress(), true);
        assertThat(TestKafka.read(topic, 2 * capture.size(), WAIT)).as("a slot of its own again").hasSize(2 * capture.size());
    }

    @Test
    void takesWhatTheReferenceFstrmReplaySends() throws Exception {
        Path fstrmReplay = DnsPeers.require("fstrm_replay", "fstrm-bin");
        try (Processes.Started replay = Processes.start(List.of(fstrmReplay.toString(), "-t", DnstapEvents.DNSTAP_CONTENT_TYPE,
                "-r", TestData.path(TestData.UNBOUND_SMALL).toString(), "-u", socket.toString()), dir, dir.resolve("replay.log"),
                Map.of())) {
            assertThat(replay.process().waitFor()).as(replay.output()).isZero();
        }

        List<DnstapEvent> events = TestKafka.read(topic, capture.size(), WAIT).stream().map(CollectorTest::parse).toList();

        assertThat(frames(events)).containsExactlyInAnyOrderElementsOf(strings(capture));
    }

    @Test
    void closesOnlyTheConnectionThatSentAnOversizedFrameAndCountsIt() throws Exception {
        try (SocketChannel bad = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.allocate(64);
            FrameEncoder.write(ControlFrame.of(ControlType.START, DnstapEvents.DNSTAP_CONTENT_TYPE), out);
            out.putInt(1_000_000);
            bad.write(out.flip());
            assertThat(bad.read(ByteBuffer.allocate(1))).isEqualTo(-1); // the collector hung up
        }
        FrameStreamTestClient.send(capture.subList(0, 10), UnixDomainSocketAddress.of(socket), true);

        assertThat(TestKafka.read(topic, 10, WAIT)).hasSize(10);
        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics()).contains(
                "dnstap_component_errors_total{component_id=\"test-collector\",component_kind=\"collector\","
                        + "error_type=\"frame_too_large\",stage=\"receiving\"} 1.0"));
    }

    @Test
    void closesAConnectionThatSendsGarbageBeforeStart() throws Exception {
        try (SocketChannel bad = FrameStreamTestClient.connect(tcpAddress())) {
            bad.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(bad.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics()).contains("error_type=\"frame_too_large\""));
    }

    @Test
    void namesASenderThatSpeaksTlsToThePlainListener() throws Exception {
        // What Unbound does with dnstap-ip and its default dnstap-tls: yes.
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, null, null);
        InetSocketAddress plain = tcpAddress();
        try (javax.net.ssl.SSLSocket client = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
                .createSocket(plain.getAddress(), plain.getPort())) {
            client.setSoTimeout(10_000);
            assertThatThrownBy(client::startHandshake).isInstanceOf(java.io.IOException.class);
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics()).contains("error_type=\"tls_to_plain_listener\""));
    }

    @Test
    void countsAStreamThatEndsInTheMiddleOfAFrame() throws Exception {
        try (SocketChannel cut = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.allocate(64);
            FrameEncoder.write(ControlFrame.of(ControlType.START, DnstapEvents.DNSTAP_CONTENT_TYPE), out);
            out.putInt(100).put(new byte[10]);
            cut.write(out.flip());
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics()).contains("error_type=\"truncated_frame\""));
    }

    @Test
    void refusesASenderOfAnotherContentType() throws Exception {
        try (SocketChannel other = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.allocate(64);
            FrameEncoder.write(ControlFrame.of(ControlType.READY, "protobuf:something.Else"), out);
            other.write(out.flip());
            assertThat(other.read(ByteBuffer.allocate(64))).isEqualTo(-1); // no ACCEPT: hung up
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics()).contains("error_type=\"content_type_mismatch\""));
    }

    @Test
    void listensOnIpv6() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(), "this host has no IPv6 loopback");
        try (Collector v6 = Collector.start(new CollectorConfig("test-collector",
                new CollectorConfig.Listen(null, null, new HostPort("::1", 0), null), CollectorConfig.Limits.DEFAULTS,
                TestKafka.bootstrapServers(), topic, Map.of(), CollectorConfig.Monitoring.at(null), PartitionKey.NONE))) {
            InetSocketAddress address = (InetSocketAddress) v6.listeners().get(0).localAddress();

            FrameStreamTestClient.send(capture.subList(0, 5), address, true);

            List<DnstapEvent> events = TestKafka.read(topic, 5, WAIT).stream().map(CollectorTest::parse).toList();
            assertThat(events).extracting(DnstapEvent::getPeerAddress).containsOnly("::1");
            assertThat(v6.listeners().get(0).describe()).startsWith("tcp [::1]:");
        }
    }

    private static boolean ipv6Loopback() {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void answersHealthAndReadyWhenListeningWithKafkaUp() throws Exception {
        HttpResponse<String> health = get("/health");
        HttpResponse<String> ready = get("/ready");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\" : \"healthy\"");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"kafka\"", "partitions");
    }

    @Test
    void refusesToStartOnAFileThatIsNotASocketAndLeavesItAlone() throws Exception {
        Path file = dir.resolve("precious.txt");
        Files.writeString(file, "keep me");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Collector.start(config(file)))
                .hasMessage(file + " exists and is not a socket; not removing it");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void replacesASocketFileLeftByADeadProcess() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (java.nio.channels.ServerSocketChannel old = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();

        try (Collector second = Collector.start(config(stale))) {
            FrameStreamTestClient.send(capture.subList(0, 5), UnixDomainSocketAddress.of(stale), true);
            assertThat(TestKafka.read(topic, 5, WAIT)).hasSize(5);
        }
    }

    private CollectorConfig config(Path socketPath) {
        return new CollectorConfig("test-collector",
                CollectorConfig.Listen.unixAndTcp(socketPath, new HostPort("127.0.0.1", 0)),
                CollectorConfig.Limits.DEFAULTS.withMaxFrameBytes(64 * 1024), TestKafka.bootstrapServers(), topic, Map.of(),
                CollectorConfig.Monitoring.at(new HostPort("127.0.0.1", 0)), PartitionKey.NONE);
    }

    private InetSocketAddress tcpAddress() {
        return collector.listeners().stream().map(l -> l.localAddress()).filter(InetSocketAddress.class::isInstance)
                .map(InetSocketAddress.class::cast).findFirst().orElseThrow();
    }

    private int activeConnections() throws Exception {
        return new ObjectMapper().readTree(get("/stats").body()).at("/connection_counts/active").asInt();
    }

    private String metrics() throws Exception {
        return get("/metrics").body();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + collector.monitoringPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static DnstapEvent parse(ConsumerRecord<byte[], byte[]> record) {
        try {
            return DnstapEvent.parseFrom(record.value());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> frames(List<DnstapEvent> events) {
        return events.stream().map(e -> Arrays.toString(e.getFrame().toByteArray())).toList();
    }

    private static List<String> strings(List<byte[]> frames) {
        return frames.stream().map(Arrays::toString).toList();
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
