package io.dnstapforwarder.config;

import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine.Option;

/** Options of the collector and the shipper for creating their topics when asked to. */
public final class TopicOptions {

    /** Dead letters: few, kept long enough for someone to look at them. */
    private static final Duration DEAD_LETTER_RETENTION = Duration.ofDays(14);

    @Option(names = "--create-topics", paramLabel = "true|false", defaultValue = "false", arity = "0..1",
            fallbackValue = "true",
            description = "Create the events topic (and, for the shipper, the dead-letter topic) if it does not exist, "
                    + "with --topic-partitions, --topic-replication and --topic-retention-hours. Default: ${DEFAULT-VALUE}.")
    private boolean create;

    @Option(names = "--topic-partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions of an events topic --create-topics creates: at most this many shippers share the "
                    + "work. Default: ${DEFAULT-VALUE}.")
    private int partitions;

    @Option(names = "--topic-replication", paramLabel = "N", defaultValue = "0",
            description = "Replication factor of the topics --create-topics creates; 0 for the broker's default "
                    + "(default.replication.factor). Production: 3. Default: ${DEFAULT-VALUE}.")
    private short replication;

    @Option(names = "--topic-retention-hours", paramLabel = "HOURS", defaultValue = "72",
            description = "How long an events topic --create-topics creates keeps events: the longest Splunk outage "
                    + "the pipeline rides out. Default: ${DEFAULT-VALUE}.")
    private long retentionHours;

    public boolean create() {
        return create;
    }

    /** With --create-topics, creates those of {@code topics} Kafka does not have yet (see {@link Topics}). */
    public void createIfAsked(String bootstrap, String clientId, Map<String, String> kafkaProperties, NewTopic... topics) {
        if (create) {
            Topics.createMissing(KafkaSettings.admin(bootstrap, clientId, kafkaProperties), List.of(topics));
        }
    }

    /** The events topic as --create-topics would create it. */
    public NewTopic events(String name) {
        Require.atLeast("--topic-partitions", partitions, 1);
        Require.atLeast("--topic-replication", replication, 0);
        Require.atLeast("--topic-retention-hours", retentionHours, 1);
        return new NewTopic(name, Optional.of(partitions), replication())
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(retentionHours).toMillis())));
    }

    /** The dead-letter topic as --create-topics would create it: one partition, kept 14 days. */
    public NewTopic deadLetters(String name) {
        Require.atLeast("--topic-replication", replication, 0);
        return new NewTopic(name, Optional.of(1), replication())
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEAD_LETTER_RETENTION.toMillis())));
    }

    private Optional<Short> replication() {
        return replication == 0 ? Optional.empty() : Optional.of(replication);
    }
}
