package io.dnstapforwarder.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, broker and controller in one) running inside this JVM, from Kafka's
 * own jars. Its log lives in a directory of the caller's and survives restarts: stop it, start it
 * on the same directory, and every acknowledged record is still there.
 *
 * <p>The client listener is where the caller says (port 0 picks a free one); the controller
 * listener takes a free loopback port on each start. The quorum is a static single voter, so the
 * controller port is not part of the stored state.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * A client listener besides the PLAINTEXT one, e.g. SASL_SSL for a test of Kafka security; its
     * settings go in the overrides, prefixed {@code listener.name.<name lower case>.}.
     */
    public record Listener(String name, String securityProtocol, int port) {
    }

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    private final String host;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir, String host) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.host = host;
    }

    /**
     * Settings for a broker that is stopped and started again in a test: it comes back in 2 s after
     * an unclean stop instead of 12 to 14 (FACTS), for heartbeats every 0.5 s, which cost idle CPU.
     */
    public static final Map<String, String> QUICK_RECOVERY = Map.of("broker.session.timeout.ms", "3000",
            "broker.heartbeat.interval.ms", "500");

    /**
     * Formats {@code dataDir} if it is new, starts the broker and waits until it answers.
     *
     * @param host the address clients connect to (and the broker listens on)
     * @param port the client port; 0 picks a free one
     * @param overrides broker properties that replace the defaults chosen here
     */
    public static EmbeddedKafka start(Path dataDir, String host, int port, Map<String, String> overrides) {
        return start(dataDir, host, port, overrides, List.of());
    }

    /**
     * The same, with more client listeners. The PLAINTEXT one stays: the broker talks to itself
     * over it, and a test sets the cluster up through it (users, topics).
     */
    public static EmbeddedKafka start(Path dataDir, String host, int port, Map<String, String> overrides,
            List<Listener> extraListeners) {
        int clientPort = port == 0 ? freePort(host) : port;
        return start(dataDir, host, clientPort, freePort("127.0.0.1"), Uuid.randomUuid().toString(), overrides,
                extraListeners);
    }

    /** One node of a cluster whose every node is broker and controller, on loopback. */
    public record Node(int id, int clientPort, int controllerPort) {

        String voter() {
            return id + "@127.0.0.1:" + controllerPort;
        }
    }

    /**
     * Starts one node of a cluster of {@code nodes} (a static quorum of all of them) and waits
     * until it answers, which it does once a majority of the controllers are up. Internal topics
     * are replicated to three nodes. The log in {@code dataDir} is formatted for {@code clusterId}
     * if new, and survives restarts.
     */
    public static EmbeddedKafka startClusterNode(Path dataDir, String clusterId, Node self, List<Node> nodes,
            Map<String, String> overrides) {
        Map<String, String> cluster = new java.util.HashMap<>(Map.of("node.id", Integer.toString(self.id()),
                "controller.quorum.voters", String.join(",", nodes.stream().map(Node::voter).toList()),
                "offsets.topic.replication.factor", "3", "transaction.state.log.replication.factor", "3",
                "transaction.state.log.min.isr", "2", "share.coordinator.state.topic.replication.factor", "3",
                "share.coordinator.state.topic.min.isr", "2", "default.replication.factor", "3",
                "min.insync.replicas", "2"));
        cluster.putAll(overrides);
        return start(dataDir, "127.0.0.1", self.clientPort(), self.controllerPort(), clusterId, cluster, List.of());
    }

    private static EmbeddedKafka start(Path dataDir, String host, int clientPort, int controllerPort, String clusterId,
            Map<String, String> overrides, List<Listener> extraListeners) {
        Properties properties = brokerProperties(dataDir, host, clientPort, controllerPort);
        for (Listener listener : extraListeners) {
            String address = listener.name() + "://" + bracketed(host) + ":" + listener.port();
            properties.put("listeners", properties.getProperty("listeners") + "," + address);
            properties.put("advertised.listeners", properties.getProperty("advertised.listeners") + ","
                    + listener.name() + "://" + bracketed(advertisedHost(host)) + ":" + listener.port());
            properties.put("listener.security.protocol.map", properties.getProperty("listener.security.protocol.map")
                    + "," + listener.name() + ":" + listener.securityProtocol());
        }
        properties.putAll(overrides);
        format(dataDir, properties, clusterId);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
        server.startup();
        String bootstrap = bracketed(advertisedHost(host)) + ":" + clientPort;
        EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrap, dataDir, host);
        try {
            kafka.awaitReady();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        log.info("Embedded Kafka listening on {} (data in {})", bootstrap, dataDir.toAbsolutePath());
        return kafka;
    }

    /** The PLAINTEXT listener's address. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The address of one of the extra listeners. */
    public String bootstrapServers(Listener listener) {
        return bracketed(advertisedHost(host)) + ":" + listener.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Creates a topic unless it exists. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + name, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not create topic " + name + " within 30 s", e);
        }
    }

    /** Stops the broker, flushing its log. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("embedded Kafka did not answer within " + READY_TIMEOUT, e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        }
    }

    private static Properties brokerProperties(Path dataDir, String host, int clientPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + bracketed(host) + ":" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + bracketed(advertisedHost(host)) + ":" + clientPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        // One node: every internal topic has one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "3");
        // Quiet when idle: the controller's no-op record, which lets a broker that lost touch notice
        // (KIP-835), every 10 s instead of every 0.5 s; one node has no other broker to tell. Idle
        // CPU of the broker alone: 2.7 % of a core before, 1.6 % after (docs/PERFORMANCE.md).
        p.put("metadata.max.idle.interval.ms", "10000");
        return p;
    }

    /** Formats a new log directory the way {@code kafka-storage.sh format} does; a formatted one is kept. */
    private static void format(Path dataDir, Properties properties, String clusterId) {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
            Path config = Files.createTempFile("embedded-kafka", ".properties");
            try {
                try (OutputStream out = Files.newOutputStream(config)) {
                    properties.store(out, "embedded Kafka");
                }
                ByteArrayOutputStream output = new ByteArrayOutputStream();
                int exit = StorageTool.execute(new String[] {"format", "-t", clusterId,
                        "-c", config.toString()},
                        new PrintStream(output, true, StandardCharsets.UTF_8));
                if (exit != 0) {
                    throw new IllegalStateException("formatting " + dataDir + " failed: " + output.toString(StandardCharsets.UTF_8));
                }
            } finally {
                Files.deleteIfExists(config);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String advertisedHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                return InetAddress.getLocalHost().getCanonicalHostName();
            } catch (IOException e) {
                return "127.0.0.1";
            }
        }
        return host;
    }

    private static String bracketed(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }
}
