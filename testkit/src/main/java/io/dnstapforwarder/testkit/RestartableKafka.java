package io.dnstapforwarder.testkit;

import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;

/**
 * A broker of a test's own, which it may stop and start again, on the same port and the same
 * log: Kafka going away and coming back, with everything it acknowledged still there.
 */
public final class RestartableKafka implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private EmbeddedKafka kafka;

    private RestartableKafka(Path dataDir, EmbeddedKafka kafka) {
        this.dataDir = dataDir;
        this.kafka = kafka;
        String bootstrap = kafka.bootstrapServers();
        this.port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    }

    public static RestartableKafka start(Path dataDir) {
        return new RestartableKafka(dataDir, EmbeddedKafka.start(dataDir, "127.0.0.1", 0, EmbeddedKafka.QUICK_RECOVERY));
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public void createTopic(String name, int partitions) {
        kafka.createTopic(name, partitions);
    }

    /** Stops the broker: clients see it gone. */
    public synchronized void stop() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** Starts it again on the same port and log. */
    public synchronized void restart() {
        stop();
        kafka = EmbeddedKafka.start(dataDir, "127.0.0.1", port, EmbeddedKafka.QUICK_RECOVERY);
    }

    @Override
    public void close() {
        stop();
    }
}
