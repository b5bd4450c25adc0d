package io.dnstapforwarder.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.collector.listen.SocketListener;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.ControlFrame;
import io.dnstapforwarder.fstrm.ControlType;
import io.dnstapforwarder.fstrm.FrameEncoder;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import io.dnstapforwarder.metrics.PeriodicLog;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.LogLines;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import io.dnstapforwarder.testkit.TestTime;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What one DNS server may cost the collector: connection limit, timeouts, refusals that cannot spin. */
@Timeout(120)
class ConnectionLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final TestTime time = TestTime.recording();
    private final List<Duration> pauses = time.sleeps();
    private String topic;
    private List<byte[]> capture;
    private Collector collector;
    private Path socket;

    @BeforeEach
    void setUp() throws Exception {
        topic = TestKafka.createTopic(TestKafka.uniqueTopic("limits"), 1);
        capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        socket = dir.resolve("dnstap.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        if (collector != null) {
            collector.close();
        }
    }

    @Test
    void closesTheConnectionOverTheLimitAtOnceAndLeavesTheOthersAlone() throws Exception {
        start(CollectorConfig.Limits.DEFAULTS.withMaxConnections(3));
        List<FrameStreamWriter> writers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            writers.add(openStream());
        }
        await().atMost(WAIT).until(() -> stats().at("/connection_counts/active").asInt() == 3);

        try (SocketChannel fourth = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
            assertThat(fourth.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
        for (FrameStreamWriter writer : writers) {
            writer.write(capture.get(0));
            writer.flush();
        }

        assertThat(TestKafka.read(topic, 3, WAIT)).hasSize(3);
        assertThat(metrics()).contains("dnstap_collector_connections_rejected_total{component_id=\"limits\","
                + "component_kind=\"collector\"} 1.0");
        assertThat(stats().at("/connection_counts/rejected").asInt()).isEqualTo(1);
    }

    @Test
    void pausesAcceptingAfterEachConnectionOverTheLimitSoThatAReconnectLoopCannotSpin() throws Exception {
        start(CollectorConfig.Listen.unix(socket), CollectorConfig.Limits.DEFAULTS.withMaxConnections(1));
        openStream();
        await().atMost(WAIT).until(() -> stats().at("/connection_counts/active").asInt() == 1);

        for (int attempt = 0; attempt < 10; attempt++) {
            try (SocketChannel refused = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
                assertThat(refused.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            }
        }

        await().atMost(WAIT).until(() -> pauses.size() == 10);
        assertThat(pauses).containsOnly(SocketListener.OVER_LIMIT_PAUSE);
        assertThat(stats().at("/connection_counts/rejected").asInt()).isEqualTo(10);
    }

    @Test
    void holdsEachSenderThatBreaksTheProtocolBeforeHangingUpSoThatItCannotSpin() throws Exception {
        start(CollectorConfig.Limits.DEFAULTS);

        for (int refusal = 0; refusal < 3; refusal++) {
            try (SocketChannel garbage = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
                garbage.write(ByteBuffer.wrap("not frame streams at all".getBytes(StandardCharsets.US_ASCII)));
                assertThat(garbage.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            }
            int held = refusal + 1;
            assertThat(pauses).as("held before hanging up, each time").hasSize(held);
        }

        assertThat(pauses).containsOnly(SocketListener.REFUSAL_PAUSE);
    }

    @Test
    void aSenderThatNeverStartsTakesNoSlotOfADnsServerAndIsClosedAtTheStartTimeout() throws Exception {
        start(CollectorConfig.Limits.DEFAULTS.withMaxConnections(2).withStartTimeout(Duration.ofSeconds(2)));
        try (LogLines lines = LogLines.everything();
                SocketChannel slowloris = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
            await().atMost(WAIT).until(() -> stats().at("/connection_counts/opening").asInt() == 1);
            assertThat(stats().at("/connections/0/state").asText()).isEqualTo("starting");

            List<FrameStreamWriter> dnsServers = List.of(openStream(), openStream());
            await().atMost(WAIT).until(() -> stats().at("/connection_counts/active").asInt() == 2);
            for (FrameStreamWriter writer : dnsServers) {
                writer.write(capture.get(0));
                writer.flush();
            }
            assertThat(TestKafka.read(topic, 2, WAIT)).hasSize(2);

            assertThat(slowloris.read(ByteBuffer.allocate(1))).as("closed by the collector").isEqualTo(-1);
            await().atMost(WAIT).until(() -> metrics().contains("error_type=\"start_timeout\""));
            assertThat(stats().at("/connection_counts/opening").asInt()).isZero();
            assertThat(stats().at("/connection_counts/rejected").asInt()).isZero();
            assertThat(lines.messages()).anyMatch(line -> line.matches(
                    "Connection \\d+ from unix .* closed \\(start_timeout\\) after 0 frames.*"));
        }
    }

    @Test
    void aSenderThatSendsReadyAndNeverStartsIsClosedAtTheStartTimeout() throws Exception {
        start(CollectorConfig.Limits.DEFAULTS.withStartTimeout(Duration.ofSeconds(1)));
        try (SocketChannel readyOnly = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
            readyOnly.write(ByteBuffer.wrap(FrameEncoder.encode(ControlFrame.of(ControlType.READY,
                    DnstapEvents.DNSTAP_CONTENT_TYPE))));
            ByteBuffer accept = ByteBuffer.allocate(1024);
            readyOnly.read(accept);
            assertThat(accept.position()).as("ACCEPT came").isPositive();
            await().atMost(WAIT).until(() -> stats().at("/connection_counts/active").asInt() == 1);

            await().atMost(WAIT).until(() -> readyOnly.read(ByteBuffer.allocate(1)) == -1);
            assertThat(metrics()).contains("error_type=\"start_timeout\"");
            assertThat(stats().at("/connection_counts/active").asInt()).isZero();
        }
    }

    @Test
    void refusesAtItsReadyASenderThatFindsEverySlotTakenWhileItWasOpening() throws Exception {
        start(CollectorConfig.Limits.DEFAULTS.withMaxConnections(2));
        try (SocketChannel late = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
            await().atMost(WAIT).until(() -> stats().at("/connection_counts/opening").asInt() == 1);
            openStream();
            await().atMost(WAIT).until(() -> stats().at("/connection_counts/active").asInt() == 1);
            openStream();
            await().atMost(WAIT).until(() -> stats().at("/connection_counts/active").asInt() == 2);

            late.write(ByteBuffer.wrap(FrameEncoder.encode(ControlFrame.of(ControlType.READY,
                    DnstapEvents.DNSTAP_CONTENT_TYPE))));
            assertThat(late.read(ByteBuffer.allocate(1024))).as("closed without an ACCEPT").isEqualTo(-1);
            assertThat(stats().at("/connection_counts/rejected").asInt()).isEqualTo(1);
            assertThat(pauses).containsOnly(SocketListener.REFUSAL_PAUSE);
        }
    }

    @Test
    void closesAnIdleConnectionAndKeepsWhatItSent() throws Exception {
        start(CollectorConfig.Limits.DEFAULTS.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(30)));
        FrameStreamWriter writer = openStream();
        writer.write(capture.get(0));
        writer.flush();

        await().atMost(WAIT).until(() -> metrics().contains("error_type=\"idle_timeout\""));
        assertThat(stats().at("/connection_counts/active").asInt()).isZero();
        assertThat(TestKafka.read(topic, 1, WAIT)).hasSize(1);
    }

    @Test
    void closesAConnectionThatStopsInTheMiddleOfAFrame() throws Exception {
        start(CollectorConfig.Limits.DEFAULTS.withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(1)));
        try (SocketChannel channel = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
            FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, true);
            ByteBuffer half = ByteBuffer.allocate(8).putInt(100).putInt(42).flip();
            channel.write(half);

            await().atMost(WAIT).until(() -> metrics().contains("error_type=\"read_timeout\""));
            assertThat(channel.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    @Test
    void setsTheSocketModeAndNamesTheConnectingUser() throws Exception {
        start(new CollectorConfig.Listen(socket, PosixFilePermissions.fromString("rw-rw----"), null, null),
                CollectorConfig.Limits.DEFAULTS);
        openStream();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
        await().atMost(WAIT).until(() -> stats().at("/connections").size() == 1);
        JsonNode connection = stats().at("/connections/0");
        assertThat(connection.get("peer_user").asText()).isEqualTo(System.getProperty("user.name"));
        assertThat(connection.get("peer_group").asText()).isNotBlank();
        assertThat(connection.get("handshake").asText()).isEqualTo("bidirectional");
        assertThat(connection.get("content_type").asText()).isEqualTo("protobuf:dnstap.Dnstap");
    }

    @Test
    void reportsWhatEachConnectionHadWrittenAheadOfItsReader() throws Exception {
        collector = Collector.start(new CollectorConfig("limits", CollectorConfig.Listen.unix(socket),
                CollectorConfig.Limits.DEFAULTS, TestKafka.bootstrapServers(), topic, Map.of(),
                CollectorConfig.Monitoring.at(new HostPort("127.0.0.1", 0)), PartitionKey.NONE));
        FrameStreamWriter writer = openStream();
        long bytes = 0;
        for (byte[] frame : capture) {
            writer.write(frame);
            bytes += frame.length + 4;
        }
        writer.flush();

        assertThat(TestKafka.read(topic, capture.size(), WAIT)).hasSize(652);
        await().atMost(WAIT).until(() -> stats().at("/connections/0/largest_backlog_bytes").asLong() > 0);
        // At most what was sent: the frames, and the handshake's control frames (START, a few dozen bytes).
        assertThat(stats().at("/connections/0/largest_backlog_bytes").asLong()).isLessThanOrEqualTo(bytes + 256);
        String metrics = metrics();
        java.util.regex.Matcher count = java.util.regex.Pattern.compile("dnstap_collector_read_backlog_bytes_count\\{"
                + "component_id=\"limits\",component_kind=\"collector\",transport=\"unix\"} ([0-9.]+)").matcher(metrics);
        assertThat(count.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(count.group(1))).isPositive();
        assertThat(metrics).contains("dnstap_collector_read_backlog_bytes_max{component_id=\"limits\",component_kind=\"collector\","
                + "transport=\"unix\"}")
                .containsPattern("(?m)^dnstap_collector_read_backlog_bytes_count\\{component_id=\"limits\","
                        + "component_kind=\"collector\",transport=\"tcp\"} 0$"); // every transport's, from the start
    }

    @Test
    void reportsRatesLatenciesAndCountsInStatsAndMetrics() throws Exception {
        start(CollectorConfig.Limits.DEFAULTS);
        FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(socket), true);
        assertThat(TestKafka.read(topic, capture.size(), WAIT)).hasSize(652);

        await().atMost(WAIT).until(() -> stats().at("/frames/published").asInt() == 652);
        JsonNode stats = stats();
        assertThat(stats.at("/frames/received").asInt()).isEqualTo(652);
        assertThat(stats.at("/frames/failed").asInt()).isZero();
        assertThat(stats.at("/rates/received_per_second").has("one_minute")).isTrue();
        assertThat(stats.at("/rates/published_per_second/mean").asDouble()).isPositive();
        assertThat(stats.at("/publish_latency/samples").asInt()).isEqualTo(652);
        assertThat(stats.at("/publish_latency/p99_ms").asDouble()).isPositive();
        assertThat(metrics())
                .contains("dnstap_component_received_events_total{component_id=\"limits\",component_kind=\"collector\"} 652.0")
                .contains("dnstap_component_sent_events_total{component_id=\"limits\",component_kind=\"collector\"} 652.0")
                .contains("dnstap_collector_connections_accepted_total{component_id=\"limits\",component_kind=\"collector\"} 1.0")
                .contains("dnstap_collector_connections_active{component_id=\"limits\",component_kind=\"collector\"}")
                .contains("dnstap_collector_publish_latency_seconds_count{component_id=\"limits\",component_kind=\"collector\"} 652")
                .contains("dnstap_collector_publish_outstanding_bytes{")
                .contains("kafka_producer_buffer_available_bytes{")
                .contains("process_cpu_usage");
    }

    @Test
    void logsAPerformanceLinePerInterval() throws Exception {
        try (LogLines lines = LogLines.of(PeriodicLog.class)) {
            collector = Collector.start(new CollectorConfig("limits", CollectorConfig.Listen.unix(socket),
                    CollectorConfig.Limits.DEFAULTS, TestKafka.bootstrapServers(), topic, Map.of(),
                    new CollectorConfig.Monitoring(null, 100, Duration.ofSeconds(1)), PartitionKey.NONE));
            FrameStreamTestClient.send(capture, UnixDomainSocketAddress.of(socket), true);

            await().atMost(WAIT).until(() -> lines.messages().stream().anyMatch(line -> line
                    .matches("performance: [\\d,]+ frames/s in, [\\d,]+ frames/s acknowledged by Kafka, \\d+ connections, "
                            + "publish latency p50 [\\d.]+ ms p99 [\\d.]+ ms max [\\d.]+ ms, [\\d,]+ bytes outstanding, 0 failed")
                    && !line.startsWith("performance: 0 frames/s in")));
        }
    }

    private void start(CollectorConfig.Limits limits) throws Exception {
        start(CollectorConfig.Listen.unix(socket), limits);
    }

    /** The collector pauses on purpose through {@link #pauses}: the pauses asked for are recorded, not waited. */
    private void start(CollectorConfig.Listen listen, CollectorConfig.Limits limits) throws Exception {
        collector = Collector.start(new CollectorConfig("limits", listen, limits, TestKafka.bootstrapServers(), topic,
                Map.of(), CollectorConfig.Monitoring.at(new HostPort("127.0.0.1", 0)), PartitionKey.NONE), time);
    }

    private FrameStreamWriter openStream() throws Exception {
        SocketChannel channel = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket));
        FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, true);
        writer.flush();
        open.add(channel);
        return writer;
    }

    private JsonNode stats() throws Exception {
        return new ObjectMapper().readTree(get("/stats"));
    }

    private String metrics() throws Exception {
        return get("/metrics");
    }

    private String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + collector.monitoringPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
