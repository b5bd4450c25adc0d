package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.collector.CollectorConfig;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.HecConfig;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import io.dnstapforwarder.testkit.DnsPeers;
import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.HecEmulator;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.TestCertificates;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Unbound, configured from testdata/unbound.conf, sends its dnstap to the collector over a
 * Unix socket (bidirectional Frame Streams). Queries go to it with dig, over UDP and TCP; each
 * must reach HEC as a CLIENT_QUERY and a CLIENT_RESPONSE carrying what dig saw.
 */
@Timeout(180)
class LiveUnboundTest {

    private static final String TOKEN = "0c7a3c2e-0000-4000-8000-0000000000b1";
    private static final Duration TRANSACTION_WINDOW = Duration.ofSeconds(3);
    private static final Pattern DIG_HEADER = Pattern.compile("opcode: QUERY, status: (\\w+), id: (\\d+)");

    @TempDir
    Path dir;

    private final HecEmulator hec = HecEmulator.start(TOKEN);
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        hec.close();
    }

    /** What dig saw for one query. */
    private record Answered(String name, String type, boolean tcp, String status, int id) {
    }

    @Test
    void everyQueryAnsweredByUnboundReachesHecAsQueryAndResponse() throws Exception {
        startPipeline(CollectorConfig.Listen.unix(dir.resolve("dnstap.sock")), false);

        assertEveryQueryReachesHec(Files.readAllLines(TestData.path("queries.txt")), "", false);
    }

    /**
     * With the collector keying by transaction and the shipper pairing: every query Unbound
     * answered is one paired event, with its duration, and nothing else arrives (no half left
     * unpaired, none twice). Unbound's responses carry no query time: the duration comes from
     * the query's.
     */
    @Test
    void everyQueryAnsweredByUnboundReachesHecAsOnePairedTransaction() throws Exception {
        startPipeline(CollectorConfig.Listen.unix(dir.resolve("dnstap.sock")), true);

        assertEveryQueryReachesHec(Files.readAllLines(TestData.path("queries.txt")), "", true);
    }

    @Test
    void unboundSendsOverDnstapTlsWithAClientCertificate() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        int dnstapPort = FreePorts.one();
        startPipeline(CollectorConfig.Listen.tls(new HostPort("127.0.0.1", dnstapPort), new CollectorConfig.Tls(
                certificates.serverCertificate(), certificates.serverKey(), certificates.ca())), false);
        String tls = "    dnstap-ip: \"127.0.0.1@" + dnstapPort + "\"\n"
                + "    dnstap-tls: yes\n"
                + "    dnstap-tls-server-name: \"" + TestCertificates.SERVER_NAME + "\"\n"
                + "    dnstap-tls-cert-bundle: \"" + certificates.ca() + "\"\n"
                + "    dnstap-tls-client-key-file: \"" + certificates.clientKey() + "\"\n"
                + "    dnstap-tls-client-cert-file: \"" + certificates.clientCertificate() + "\"\n";

        assertEveryQueryReachesHec(Files.readAllLines(TestData.path("queries.txt")).subList(0, 6), tls, false);
    }

    /**
     * Starts Unbound (with {@code dnstapTransport} in place of its dnstap socket line, when given),
     * asks it every query with dig, and checks that each reached HEC as query and response, or
     * when {@code paired} as one transaction.
     */
    private void assertEveryQueryReachesHec(List<String> queries, String dnstapTransport, boolean paired)
            throws Exception {
        Path unbound = DnsPeers.require("unbound", "unbound");
        Path dig = DnsPeers.require("dig", "bind9-dnsutils");
        int port = FreePorts.one();
        Processes.Started server = Processes.start(List.of(unbound.toString(), "-d", "-c",
                writeConfig(port, dnstapTransport).toString()), dir, dir.resolve("unbound.out"), Map.of());
        running.add(server);

        List<Answered> answered = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            String[] query = queries.get(i).trim().split("\\s+");
            answered.add(ask(dig, port, query[0], query[1], i % 5 == 0, server));
        }

        List<JsonNode> events = hec.awaitEvents((paired ? 1 : 2) * answered.size(), Duration.ofSeconds(60));
        for (Answered query : answered) {
            JsonNode request = find(events, query, paired ? "CLIENT_RESPONSE" : "CLIENT_QUERY");
            JsonNode response = find(events, query, "CLIENT_RESPONSE");
            if (paired) {
                assertThat(response.at("/event/transaction").asText()).as(query.toString()).isEqualTo("paired");
                assertThat(response.at("/event/duration").decimalValue()).as(query.toString()).isNotNegative();
                assertThat(response.get("time").decimalValue()).as("the query's time")
                        .isEqualByComparingTo(response.at("/event/query_timestamp").decimalValue());
            }
            assertThat(request.at("/event/transport").asText()).isEqualTo(query.tcp() ? "tcp" : "udp");
            assertThat(response.at("/event/reply_code").asText()).as(query.toString()).isEqualTo(query.status());
            assertThat(response.at("/event/src").asText()).isEqualTo("127.0.0.1");
            assertThat(response.at("/event/dest_port").asInt()).isEqualTo(port);
            assertThat(response.get("host").asText()).isEqualTo("unbound-test");
        }
        if (paired) {
            Thread.sleep(TRANSACTION_WINDOW.plusSeconds(2).toMillis()); // time for any half left over to end
            assertThat(hec.events()).as("one event per query, and no other").hasSize(answered.size());
        }
        JsonNode www = find(events, answered.get(0), "CLIENT_RESPONSE");
        assertThat(www.at("/event/query").asText()).isEqualTo("www.test.example");
        assertThat(strings(www.at("/event/answer"))).containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2");
    }

    /** @param transactions keyed by transaction at the collector, paired at the shipper */
    private void startPipeline(CollectorConfig.Listen listen, boolean transactions) throws IOException {
        String topic = TestKafka.createTopic(TestKafka.uniqueTopic("unbound"), 3);
        String deadLetters = TestKafka.createTopic(TestKafka.uniqueTopic("unbound-dlq"), 1);
        running.add(Collector.start(new CollectorConfig("live-collector", listen, CollectorConfig.Limits.DEFAULTS,
                TestKafka.bootstrapServers(), topic, Map.of(), CollectorConfig.Monitoring.at(null),
                transactions ? PartitionKey.TRANSACTION : PartitionKey.NONE)));
        running.add(Shipper.start(ShipperConfig.builder("live-shipper",
                new ShipperConfig.Kafka(TestKafka.bootstrapServers(), topic, TestKafka.uniqueTopic("unbound-group"),
                        deadLetters, Map.of()), dir)
                .hec(HecConfig.to(hec.url(), TOKEN).withRetries(Duration.ofMillis(50), Duration.ofSeconds(2), 3))
                .batching(new ShipperConfig.Batching(100, 1_000_000, Duration.ofMillis(200)))
                .transactions(transactions ? new PairingSettings(true, TRANSACTION_WINDOW, 10_000)
                        : PairingSettings.OFF).build()));
    }

    /**
     * testdata/unbound.conf with this test's directory, a free port, IPv6 only where the host has
     * it, and the dnstap socket line replaced by {@code dnstapTransport} when that is not empty.
     */
    private Path writeConfig(int port, String dnstapTransport) throws IOException {
        String config = Files.readString(TestData.path("unbound.conf"))
                .replace("__DIR__", dir.toString())
                .replace("port: 5353", "port: " + port);
        if (!dnstapTransport.isEmpty()) {
            config = config.replaceFirst("    dnstap-socket-path: .*\n", java.util.regex.Matcher.quoteReplacement(dnstapTransport));
        }
        if (!hasIpv6Loopback()) {
            config = config.replace("    interface: ::1\n", "").replace("do-ip6: yes", "do-ip6: no");
        }
        Path file = dir.resolve("unbound.conf");
        Files.writeString(file, config);
        return file;
    }

    /** Asks until Unbound answers (it may still be starting), then returns what dig reported. */
    private Answered ask(Path dig, int port, String name, String type, boolean tcp, Processes.Started server) throws Exception {
        List<String> command = new ArrayList<>(List.of(dig.toString(), "@127.0.0.1", "-p", Integer.toString(port),
                name, type, "+tries=1", "+time=2"));
        if (tcp) {
            command.add("+tcp");
        }
        String[] output = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(server.process().isAlive()).as("unbound died: " + server.output()).isTrue();
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            output[0] = new String(process.getInputStream().readAllBytes());
            return process.waitFor() == 0 && DIG_HEADER.matcher(output[0]).find();
        });
        Matcher header = DIG_HEADER.matcher(output[0]);
        assertThat(header.find()).isTrue();
        return new Answered(name, type, tcp, header.group(1), Integer.parseInt(header.group(2)));
    }

    private static JsonNode find(List<JsonNode> events, Answered query, String type) {
        return events.stream()
                .filter(e -> e.at("/event/dnstap_type").asText().equals(type))
                .filter(e -> e.at("/event/transaction_id").asInt() == query.id())
                .filter(e -> e.at("/event/query").asText().equalsIgnoreCase(query.name()))
                .filter(e -> e.at("/event/query_type").asText().equals(query.type()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " event for " + query));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
