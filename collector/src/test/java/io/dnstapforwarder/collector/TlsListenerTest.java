package io.dnstapforwarder.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.TestCertificates;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** dnstap over TLS, and over mutual TLS, on the collector's TCP listener. */
@Timeout(120)
class TlsListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private TestCertificates certificates;
    private String topic;
    private List<byte[]> capture;
    private Collector collector;

    @BeforeEach
    void setUp() throws Exception {
        certificates = TestCertificates.create(dir);
        topic = TestKafka.createTopic(TestKafka.uniqueTopic("tls"), 1);
        capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
    }

    @AfterEach
    void tearDown() {
        if (collector != null) {
            collector.close();
        }
    }

    @Test
    void takesDnstapOverTlsAndRecordsTheTransport() throws Exception {
        start(null);

        FrameStreamTestClient.sendTls(capture, address(), certificates.ca(), null, null);

        List<DnstapEvent> events = TestKafka.read(topic, capture.size(), WAIT).stream().map(r -> parse(r.value())).toList();
        assertThat(events).hasSize(652);
        assertThat(events).extracting(DnstapEvent::getTransport).containsOnly(Transport.TLS);
        assertThat(events.get(0).getPeerAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void requiresATrustedClientCertificateWithMutualTls() throws Exception {
        start(certificates.ca());

        assertThatThrownBy(() -> FrameStreamTestClient.sendTls(capture, address(), certificates.ca(), null, null))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> FrameStreamTestClient.sendTls(capture, address(), certificates.ca(),
                certificates.strangerCertificate(), certificates.strangerKey())).isInstanceOf(IOException.class);
        FrameStreamTestClient.sendTls(capture.subList(0, 10), address(), certificates.ca(), certificates.clientCertificate(),
                certificates.clientKey());

        assertThat(TestKafka.read(topic, 10, WAIT)).hasSize(10);
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/metrics")).contains(
                "dnstap_component_errors_total{component_id=\"tls\",component_kind=\"collector\",error_type=\"tls_handshake_failed\","
                        + "stage=\"receiving\"} 2.0"));
    }

    @Test
    void publishesWhatTheClientCertificateVouchesForAndRefusesAnIdentityItDoesNot() throws Exception {
        collector = Collector.start(config(new CollectorConfig.Tls(certificates.serverCertificate(), certificates.serverKey(),
                certificates.ca(), true)));
        Path[] vouching = certificates.client("O=Example,CN=resolver-1", "unbound-test");
        Path[] other = certificates.client("O=Example,CN=resolver-2", "resolver-2.example");

        FrameStreamTestClient.sendTls(capture.subList(0, 10), address(), certificates.ca(), vouching[0], vouching[1]);
        assertThat(TestKafka.read(topic, 10, WAIT)).hasSize(10);
        try {
            FrameStreamTestClient.sendTls(capture.subList(10, 20), address(), certificates.ca(), other[0], other[1]);
        } catch (IOException closedUnderIt) {
            // the collector hangs up at the first frame: the rest may not get written
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/metrics")).contains("dnstap_component_errors_total{"
                + "component_id=\"tls\",component_kind=\"collector\",error_type=\"identity_mismatch\",stage=\"receiving\"} 1.0"));
        FrameStreamTestClient.sendTls(capture.subList(20, 25), address(), certificates.ca(), vouching[0], vouching[1]);

        List<DnstapEvent> events = TestKafka.read(topic, 16, Duration.ofSeconds(3)).stream().map(r -> parse(r.value()))
                .toList();
        assertThat(events).as("none of the certificate that does not name unbound-test").hasSize(15);
        assertThat(events).extracting(DnstapEvent::getPeerCertificate).containsOnly("CN=resolver-1,O=Example");
    }

    @Test
    void refusesToRequireAnIdentityMatchWithoutClientCertificates() {
        assertThatThrownBy(() -> new CollectorConfig.Tls(certificates.serverCertificate(), certificates.serverKey(), null,
                true)).isInstanceOf(ConfigException.class).hasMessageContaining("--tls-require-identity-match");
    }

    @Test
    void refusesPlainTcpOnTheTlsPort() throws Exception {
        start(null);

        try (SocketChannel plain = SocketChannel.open(address())) {
            plain.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 0}));
            ByteBuffer answer = ByteBuffer.allocate(4096);
            while (plain.read(answer) >= 0) {
                assertThat(answer.position()).as("only a TLS alert comes back").isLessThan(64);
            }
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/metrics")).contains("error_type=\"tls_handshake_failed\""));
    }

    @Test
    void dropsAHandshakeThatDribblesPastItsDeadlineThoughEachReadIsInTime() throws Exception {
        // A read timeout of 2 s: the handshake as a whole gets 2 s too.
        CollectorConfig config = config(new CollectorConfig.Tls(certificates.serverCertificate(), certificates.serverKey(),
                null));
        collector = Collector.start(new CollectorConfig(config.collectorId(), config.listen(),
                config.limits().withTimeouts(Duration.ofSeconds(300), Duration.ofSeconds(2)), config.kafkaBootstrap(),
                topic, Map.of(), config.monitoring(), PartitionKey.NONE));
        long started = System.nanoTime();
        boolean closed = false;
        try (SocketChannel slow = SocketChannel.open(address())) {
            // A TLS handshake record that announces 512 bytes, then one byte every 500 ms.
            slow.write(ByteBuffer.wrap(new byte[] {0x16, 0x03, 0x03, 0x02, 0x00}));
            for (int i = 0; i < 40 && !closed; i++) {
                TimeUnit.MILLISECONDS.sleep(500);
                try {
                    slow.write(ByteBuffer.wrap(new byte[] {0}));
                    slow.configureBlocking(false);
                    closed = slow.read(ByteBuffer.allocate(256)) < 0;
                    slow.configureBlocking(true);
                } catch (IOException reset) {
                    closed = true; // closed with our byte unread: a reset rather than an end of stream
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(closed).as("dropped").isTrue();
        assertThat(seconds).as("at the 2 s deadline, not after 20 s of dribbling").isLessThan(8);
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/metrics")).contains("error_type=\"tls_handshake_failed\""));
    }

    @Test
    void refusesToStartWithAKeyFileThatHoldsNoKey() throws Exception {
        Path notAKey = dir.resolve("not-a-key.pem");
        Files.writeString(notAKey, "hello");

        assertThatThrownBy(() -> Collector.start(config(new CollectorConfig.Tls(certificates.serverCertificate(), notAKey,
                null)))).isInstanceOf(ConfigException.class).hasMessage("Cannot use --tls-cert (DNSTAP_TLS_CERT), "
                        + "--tls-key (DNSTAP_TLS_KEY) or --tls-client-ca (DNSTAP_TLS_CLIENT_CA): " + notAKey
                        + " holds no unencrypted PEM private key");
    }

    private void start(Path clientCa) throws Exception {
        collector = Collector.start(config(new CollectorConfig.Tls(certificates.serverCertificate(), certificates.serverKey(),
                clientCa)));
    }

    private CollectorConfig config(CollectorConfig.Tls tls) {
        return new CollectorConfig("tls", CollectorConfig.Listen.tls(new HostPort("127.0.0.1", 0), tls),
                CollectorConfig.Limits.DEFAULTS, TestKafka.bootstrapServers(), topic, Map.of(),
                CollectorConfig.Monitoring.at(new HostPort("127.0.0.1", 0)), PartitionKey.NONE);
    }

    private InetSocketAddress address() {
        return (InetSocketAddress) collector.listeners().get(0).localAddress();
    }

    private String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + collector.monitoringPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static DnstapEvent parse(byte[] value) {
        try {
            return DnstapEvent.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
