package io.dnstapforwarder.testkit;

import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The process of one {@link KafkaCluster} node: {@code <data dir> <cluster id> <own id>
 * <id:client port:controller port>...}, broker settings from {@code KAFKA_SETTING_<name>}
 * variables. Runs until killed; SIGTERM stops the broker cleanly.
 */
public final class KafkaClusterNode {

    private KafkaClusterNode() {
    }

    public static void main(String[] args) throws InterruptedException {
        List<EmbeddedKafka.Node> nodes = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            String[] parts = args[i].split(":");
            nodes.add(new EmbeddedKafka.Node(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                    Integer.parseInt(parts[2])));
        }
        int self = Integer.parseInt(args[2]);
        Map<String, String> settings = new HashMap<>();
        System.getenv().forEach((name, value) -> {
            if (name.startsWith("KAFKA_SETTING_")) {
                settings.put(name.substring("KAFKA_SETTING_".length()), value);
            }
        });
        EmbeddedKafka kafka = EmbeddedKafka.startClusterNode(Path.of(args[0]), args[1],
                nodes.stream().filter(node -> node.id() == self).findFirst().orElseThrow(), nodes, settings);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-node-stop"));
        Thread.currentThread().join();
    }
}
