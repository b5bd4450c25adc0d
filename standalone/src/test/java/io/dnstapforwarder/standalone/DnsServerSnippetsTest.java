package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.collector.CollectorConfig;
import io.dnstapforwarder.collector.publish.PartitionKey;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.testkit.DnsPeers;
import io.dnstapforwarder.testkit.FreePorts;
import io.dnstapforwarder.testkit.Processes;
import io.dnstapforwarder.testkit.TestCertificates;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/DNS-SERVERS.md, as written: each snippet is taken from it (and the README's Unbound one must be its own),
 * its paths and ports replaced by the test's, set into the least configuration the real server
 * needs to answer on a loopback port, and the server (Debian's Unbound, BIND, Knot Resolver,
 * dnsdist, PowerDNS Recursor) must then deliver dnstap of a query to a collector: published to
 * Kafka with the message types that server logs. The variants in the snippets' comments (Unbound
 * and dnsdist over TCP) run too. A server that may send to the internet (a resolver priming its
 * roots, version polling) runs in a network namespace of its own (bubblewrap) where only loopback
 * exists; its dnstap then goes over the Unix socket, which the namespace does not separate.
 */
@Timeout(300)
class DnsServerSnippetsTest {

    private static final String README_SOCKET = "/srv/dnstap-forwarder/data/dnstap.sock";
    private static final Pattern SNIPPET = Pattern.compile("(?m)^\\*\\*([^*]+)\\*\\*[^\\n]*\\n\\n```[a-z]*\\n(.*?)^```|"
            + "(?m)^(Over TLS)[^\\n]*\\n(?:[^\\n]+\\n)*\\n```[a-z]*\\n(.*?)^```", Pattern.DOTALL);

    @TempDir
    Path dir;

    private record Snippet(String server, String text) {
    }

    @Test
    void theReadmeHasASnippetForEachServerAndThisTestRunsEachOfThem() {
        assertThat(snippets().stream().map(Snippet::server).toList()).containsExactly("Unbound", "Over TLS", "BIND 9",
                "Knot Resolver 5", "dnsdist", "PowerDNS Recursor 4.8");
    }

    @Test
    void theReadmesUnboundSnippetIsTheOneRunHere() {
        Matcher readme = Pattern.compile("(?s)Unbound, in `unbound.conf`:\n\n```\n(.*?)^```", Pattern.MULTILINE)
                .matcher(read("../README.md"));
        assertThat(readme.find()).as("the README's Unbound snippet").isTrue();
        assertThat(readme.group(1)).isEqualTo(snippet("Unbound"));
    }

    @Test
    void unboundOverTheUnixSocket() throws Exception {
        Delivery delivery = new Delivery(Transport.UNIX);
        String config = unboundServer(delivery.dnsPort) + unixPath(snippet("Unbound"));
        delivery.run(List.of(DnsPeers.require("unbound", "unbound").toString(), "-d", "-c", delivery.write("unbound.conf", config)),
                false);
        delivery.expect(hostname(), "CLIENT_QUERY", "CLIENT_RESPONSE");
    }

    @Test
    void unboundOverTcpAsTheSnippetsCommentSays() throws Exception {
        Delivery delivery = new Delivery(Transport.TCP);
        String readme = snippet("Unbound");
        assertThat(readme).contains("#   dnstap-ip: \"127.0.0.1@6000\"", "#   dnstap-tls: no");
        String tcp = readme.replaceAll("(?m)^ *dnstap-socket-path: .*\\n", "").replaceAll("(?m)^( *)#   ", "$1")
                .replace("127.0.0.1@6000", "127.0.0.1@" + delivery.dnstapPort);
        String config = unboundServer(delivery.dnsPort) + tcp;
        delivery.run(List.of(DnsPeers.require("unbound", "unbound").toString(), "-d", "-c", delivery.write("unbound.conf", config)),
                false);
        delivery.expect(hostname(), "CLIENT_QUERY", "CLIENT_RESPONSE");
    }

    @Test
    void unboundOverTlsWithAClientCertificate() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        Delivery delivery = new Delivery(Transport.TLS, certificates);
        String tls = snippet("Over TLS").replace("192.0.2.10@6000", "127.0.0.1@" + delivery.dnstapPort)
                .replace("collector.example.net", TestCertificates.SERVER_NAME)
                .replace("/etc/unbound/dnstap-ca.pem", certificates.ca().toString())
                .replace("/etc/unbound/dnstap-client-key.pem", certificates.clientKey().toString())
                .replace("/etc/unbound/dnstap-client.pem", certificates.clientCertificate().toString());
        String config = unboundServer(delivery.dnsPort) + tls;
        delivery.run(List.of(DnsPeers.require("unbound", "unbound").toString(), "-d", "-c", delivery.write("unbound.conf", config)),
                false);
        delivery.expect(null, "CLIENT_QUERY", "CLIENT_RESPONSE"); // the snippet sends no identity
    }

    @Test
    void bindAsAnAuthoritativeServer() throws Exception {
        Delivery delivery = new Delivery(Transport.UNIX);
        Files.writeString(dir.resolve("test.example.zone"), """
                $TTL 300
                @ IN SOA ns.test.example. hostmaster.test.example. 1 3600 600 86400 300
                @ IN NS ns.test.example.
                ns IN A 127.0.0.1
                www IN A 192.0.2.1
                """);
        // The snippet is an options block: the server's own options go into it.
        String options = unixPath(snippet("BIND 9")).replaceFirst("(?m)^};\\s*$", Matcher.quoteReplacement("""
                    directory "%s";
                    pid-file none;
                    listen-on port %d { 127.0.0.1; };
                    listen-on-v6 { none; };
                    recursion no;
                };
                controls { };
                zone "test.example" { type primary; file "test.example.zone"; };
                """.formatted(dir, delivery.dnsPort)));
        delivery.run(List.of(DnsPeers.require("named", "bind9").toString(), "-g", "-n", "1", "-c",
                delivery.write("named.conf", options)), true);
        // An authoritative server: the query as AUTH_QUERY, the answer to a query with RD=1 (dig's) as CLIENT_RESPONSE.
        delivery.expect(hostname(), "AUTH_QUERY", "CLIENT_RESPONSE");
    }

    @Test
    void knotResolver() throws Exception {
        Delivery delivery = new Delivery(Transport.UNIX);
        String config = "net.listen('127.0.0.1', " + delivery.dnsPort + ", { kind = 'dns' })\n"
                + unixPath(snippet("Knot Resolver 5"))
                + "policy.add(policy.all(policy.ANSWER({ [kres.type.A] = { rdata = kres.str2ip('192.0.2.1'), ttl = 300 } })))\n";
        Path rundir = Files.createDirectories(dir.resolve("kresd"));
        delivery.run(List.of(DnsPeers.require("kresd", "knot-resolver").toString(), "-n", "-c",
                delivery.write("kresd.conf", config), rundir.toString()), true);
        delivery.expect("resolver-1", "CLIENT_QUERY", "CLIENT_RESPONSE");
    }

    @Test
    void dnsdistOverTheUnixSocket() throws Exception {
        Delivery delivery = new Delivery(Transport.UNIX);
        delivery.run(dnsdist(delivery, unixPath(snippet("dnsdist"))), true);
        // Its spoofed answers are self-answered: only the query is logged by the snippet's actions.
        delivery.expect("dnsdist-1", "CLIENT_QUERY");
    }

    @Test
    void dnsdistOverTcpAsTheSnippetsCommentSays() throws Exception {
        Delivery delivery = new Delivery(Transport.TCP);
        String readme = snippet("dnsdist");
        Matcher tcp = Pattern.compile("(?m)^-- or over TCP: (.*)$").matcher(readme);
        assertThat(tcp.find()).as(readme).isTrue();
        String config = readme.replaceFirst("(?m)^tap = newFrameStreamUnixLogger\\(.*\\)$", Matcher.quoteReplacement(tcp.group(1)))
                .replace("127.0.0.1:6000", "127.0.0.1:" + delivery.dnstapPort);
        delivery.run(dnsdist(delivery, config), false);
        delivery.expect("dnsdist-1", "CLIENT_QUERY");
    }

    @Test
    void powerDnsRecursor() throws Exception {
        Delivery delivery = new Delivery(Transport.UNIX);
        delivery.write("pdns.lua", unixPath(snippet("PowerDNS Recursor 4.8")));
        // Everything forwarded to a loopback port where nothing answers: the outgoing query is what it logs.
        delivery.write("recursor.conf", """
                local-address=127.0.0.1
                local-port=%d
                lua-config-file=%s
                forward-zones-recurse=.=127.0.0.1:%d
                dnssec=off
                security-poll-suffix=
                socket-dir=%s
                daemon=no
                threads=1
                """.formatted(delivery.dnsPort, dir.resolve("pdns.lua"), FreePorts.one(), dir));
        delivery.run(List.of(DnsPeers.require("pdns_recursor", "pdns-recursor").toString(), "--config-dir=" + dir), true);
        delivery.expect(null, "RESOLVER_QUERY"); // PowerDNS Recursor 4.8 has no client-side dnstap
    }

    private List<String> dnsdist(Delivery delivery, String snippet) throws Exception {
        String config = "setLocal(\"127.0.0.1:" + delivery.dnsPort + "\")\nsetSecurityPollSuffix(\"\")\n" + snippet
                + "addAction(AllRule(), SpoofAction(\"192.0.2.1\"))\n";
        return List.of(DnsPeers.require("dnsdist", "dnsdist").toString(), "--supervised", "--disable-syslog", "-C",
                delivery.write("dnsdist.conf", config));
    }

    private enum Transport { UNIX, TCP, TLS }

    /** A collector for one server's dnstap, the server's run, and what reached Kafka. */
    private final class Delivery {
        final int dnsPort = FreePorts.one();
        final int dnstapPort = FreePorts.one();
        final Path socket = dir.resolve("dnstap.sock");
        final String topic = TestKafka.createTopic(TestKafka.uniqueTopic("snippets"), 1);
        final CollectorConfig.Listen listen;
        Processes.Started server;

        Delivery(Transport transport) throws Exception {
            this(transport, null);
        }

        Delivery(Transport transport, TestCertificates certificates) throws Exception {
            HostPort tcp = new HostPort("127.0.0.1", dnstapPort);
            listen = switch (transport) {
                case UNIX -> CollectorConfig.Listen.unix(socket);
                case TCP -> CollectorConfig.Listen.unixAndTcp(socket, tcp);
                case TLS -> CollectorConfig.Listen.tls(tcp, new CollectorConfig.Tls(certificates.serverCertificate(),
                        certificates.serverKey(), certificates.ca()));
            };
        }

        String write(String name, String text) throws Exception {
            Path file = dir.resolve(name);
            Files.writeString(file, text);
            return file.toString();
        }

        /**
         * Starts the collector, then the server ({@code isolated}: in a network namespace of its
         * own), asks it for www.test.example until it answers, waits for its dnstap to flush (Unbound
         * sends a second after the query), and stops it.
         */
        void run(List<String> command, boolean isolated) throws Exception {
            Path dig = DnsPeers.require("dig", "bind9-dnsutils");
            List<String> sandbox = new ArrayList<>();
            if (isolated) {
                sandbox.addAll(List.of(DnsPeers.require("bwrap", "bubblewrap").toString(), "--unshare-net", "--dev-bind", "/", "/"));
            }
            String script = """
                    "$@" > server.log 2>&1 &
                    server=$!
                    for attempt in $(seq 1 50); do
                      if %s +time=1 +tries=1 @127.0.0.1 -p %d www.test.example A > dig.out 2>&1 \\
                          && grep -q 'status:' dig.out; then break; fi
                      kill -0 $server 2>/dev/null || exit 3
                      sleep 0.2
                    done
                    sleep 2
                    kill $server
                    wait $server
                    cat dig.out
                    """.formatted(dig, dnsPort);
            sandbox.addAll(List.of("bash", "-c", script, "server"));
            sandbox.addAll(command);
            try (Collector collector = Collector.start(new CollectorConfig("snippets", listen, CollectorConfig.Limits.DEFAULTS,
                    TestKafka.bootstrapServers(), topic, Map.of(), CollectorConfig.Monitoring.at(null), PartitionKey.NONE))) {
                server = Processes.start(sandbox, dir, dir.resolve("run.log"), Map.of());
                assertThat(server.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as(log()).isTrue();
                assertThat(Files.readString(dir.resolve("dig.out"))).as(log()).contains("status:");
            } finally {
                if (server != null) {
                    server.close();
                }
            }
        }

        /** At least one message of each type reached Kafka, each with the identity (null: any). */
        void expect(String identity, String... types) throws Exception {
            List<ConsumerRecord<byte[], byte[]>> records = TestKafka.read(topic, types.length, Duration.ofSeconds(30));
            TreeSet<String> seen = new TreeSet<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                DnstapEvent event = DnstapEvents.parse(record.value());
                Dnstap dnstap = Dnstap.parseFrom(event.getFrame());
                seen.add(dnstap.getMessage().getType().name());
                if (identity != null) {
                    assertThat(dnstap.getIdentity().toStringUtf8()).as(log()).isEqualTo(identity);
                }
            }
            assertThat(seen).as(log()).contains(types);
        }

        String log() {
            try {
                StringBuilder log = new StringBuilder("the server's output:\n");
                for (String name : List.of("server.log", "unbound.log")) {
                    Path file = dir.resolve(name);
                    if (Files.exists(file)) {
                        log.append(Files.readString(file));
                    }
                }
                return log.append(server == null ? "" : server.output()).toString();
            } catch (java.io.IOException e) {
                return e.toString();
            }
        }
    }

    /** testdata/unbound.conf's server: section (local zones only, nothing from the internet). */
    private String unboundServer(int port) throws Exception {
        String full = Files.readString(TestData.path("unbound.conf"));
        return full.substring(0, full.indexOf("\ndnstap:") + 1).replace("__DIR__", dir.toString())
                .replace("port: 5353", "port: " + port).replace("    interface: ::1\n", "").replace("do-ip6: yes", "do-ip6: no");
    }

    private String unixPath(String snippet) {
        assertThat(snippet).contains(README_SOCKET);
        return snippet.replace(README_SOCKET, dir.resolve("dnstap.sock").toString());
    }

    private static String snippet(String server) {
        return snippets().stream().filter(s -> s.server().equals(server)).findFirst().orElseThrow().text();
    }

    /** The code blocks of docs/DNS-SERVERS.md's "Pointing DNS servers at it", each after the server's bold name. */
    private static List<Snippet> snippets() {
        String docs = read("../docs/DNS-SERVERS.md");
        int start = docs.indexOf("# Pointing DNS servers at it");
        int end = docs.indexOf("\n### ", start); // the troubleshooting after the snippets
        String section = docs.substring(start, end < 0 ? docs.length() : end);
        List<Snippet> snippets = new ArrayList<>();
        Matcher matcher = SNIPPET.matcher(section);
        while (matcher.find()) {
            snippets.add(matcher.group(1) != null ? new Snippet(matcher.group(1), matcher.group(2))
                    : new Snippet(matcher.group(3), matcher.group(4)));
        }
        return snippets;
    }

    /** A file of the repository, found from the module. */
    private static String read(String file) {
        try {
            return Files.readString(TestData.path(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What the servers send as identity when told to use the host's name: gethostname(2). */
    private static String hostname() throws Exception {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    }
}
