package io.dnstapforwarder.testkit;

import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A three-node Kafka cluster (each node broker and controller, KRaft, a static quorum), every
 * node a process of its own, so that a test can kill one with SIGKILL as a machine dies, start it
 * again on its log, or stop and start them all. Replication 3 and {@code min.insync.replicas=2}
 * for every topic, internal ones included: a production cluster's settings.
 */
public final class KafkaCluster implements AutoCloseable {

    /** Failover in seconds rather than tens of seconds: a dead broker is fenced after 3 s. */
    private static final Map<String, String> SETTINGS = Map.of("broker.session.timeout.ms", "3000",
            "broker.heartbeat.interval.ms", "500", "unclean.leader.election.enable", "false");
    private static final Duration READY = Duration.ofSeconds(120);

    private final Path dir;
    private final String clusterId = Uuid.randomUuid().toString();
    private final List<EmbeddedKafka.Node> nodes = new ArrayList<>();
    private final Map<Integer, Processes.Started> running = new HashMap<>();

    private KafkaCluster(Path dir) {
        this.dir = dir;
    }

    public static KafkaCluster start(Path dir) throws IOException {
        KafkaCluster cluster = new KafkaCluster(dir);
        for (int id = 1; id <= 3; id++) {
            cluster.nodes.add(new EmbeddedKafka.Node(id, FreePorts.one(), FreePorts.one()));
        }
        try {
            cluster.nodes.forEach(node -> cluster.startNode(node.id()));
            cluster.awaitBrokers(3);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public String bootstrapServers() {
        return nodes.stream().map(node -> "127.0.0.1:" + node.clientPort()).collect(Collectors.joining(","));
    }

    /** Creates a topic of {@code partitions}, replicated to all three nodes. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topic " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The node that leads {@code partition} of {@code topic} now. */
    public int leaderOf(String topic, int partition) {
        try (Admin admin = admin()) {
            return admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().get(partition).leader().id();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not describe " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills the node's process with SIGKILL: no shutdown, no flush, as a machine dies. */
    public void kill(int id) {
        Processes.Started node = running.remove(id);
        if (node != null) {
            node.process().destroyForcibly();
            try {
                node.process().waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts a stopped node again on its log; returns at once (it rejoins by itself). */
    public void startNode(int id) {
        EmbeddedKafka.Node self = nodes.get(id - 1);
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                KafkaClusterNode.class.getName(), dir.resolve("node-" + id).toString(), clusterId, Integer.toString(id)));
        for (EmbeddedKafka.Node node : nodes) {
            command.add(node.id() + ":" + node.clientPort() + ":" + node.controllerPort());
        }
        Map<String, String> environment = new HashMap<>(Map.of("DNSTAP_LOG_LEVEL", "WARN"));
        SETTINGS.forEach((key, value) -> environment.put("KAFKA_SETTING_" + key, value));
        try {
            Files.createDirectories(dir);
            running.put(id, Processes.start(command, dir, Files.createTempFile(dir, "node-" + id + "-", ".log"),
                    environment));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until {@code count} brokers are registered and unfenced. */
    public void awaitBrokers(int count) {
        long deadline = System.nanoTime() + READY.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the cluster did not have " + count + " brokers within " + READY
                            + "; node logs in " + dir);
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public List<Integer> nodeIds() {
        return nodes.stream().map(EmbeddedKafka.Node::id).toList();
    }

    private Admin admin() {
        return Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000, CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }

    @Override
    public void close() {
        List.copyOf(running.keySet()).forEach(this::kill);
    }
}
