package io.dnstapforwarder.kafka;

import io.dnstapforwarder.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics a service needs, created on request ({@code --create-topics}) and otherwise named
 * with the command that creates them. Topics are an operator's decision (partitions bound how
 * many shippers share the work, retention how long an outage the pipeline rides out), so the
 * services never create them unasked, and Kafka's auto-creation is no substitute.
 */
public final class Topics {

    private static final Logger log = LoggerFactory.getLogger(Topics.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Topics() {
    }

    /**
     * Creates those of {@code topics} that do not exist yet; returns the names it created. Stops
     * the start with a message naming the topic when Kafka refuses or does not answer.
     */
    public static List<String> createMissing(Map<String, Object> adminConfig, List<NewTopic> topics) {
        return createMissing(adminConfig, topics, TIMEOUT);
    }

    /** {@link #createMissing(Map, List)}, waiting at most {@code timeout} for each answer of Kafka. */
    static List<String> createMissing(Map<String, Object> adminConfig, List<NewTopic> topics, Duration timeout) {
        List<String> created = new ArrayList<>();
        Map<String, Object> patient = new HashMap<>(adminConfig);
        patient.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(patient)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (NewTopic topic : topics) {
                if (existing.contains(topic.name())) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(topic.name());
                    log.info("Created topic {}: {} partitions, replication {}, {}", topic.name(), topic.numPartitions(),
                            topic.replicationFactor() < 0 ? "the broker's default" : topic.replicationFactor(),
                            topic.configs());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // another instance was quicker
                        throw refused(topic.name(), e.getCause().getMessage());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refused("the topics", "interrupted");
        } catch (TimeoutException e) {
            throw refused("the topics", "Kafka did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw refused("the topics", e.getCause().getMessage());
        } catch (KafkaException e) { // the client itself refused its settings (a --kafka-property, say)
            throw refused("the topics", e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
        }
        return created;
    }

    /**
     * The {@code max.message.bytes} of each of {@code topics} that exists and may be described,
     * waiting at most {@code timeout}; those Kafka does not answer for are left out.
     */
    public static Map<String, Integer> maxMessageBytes(Map<String, Object> adminConfig, List<String> topics,
            Duration timeout) throws InterruptedException {
        Map<String, Object> impatient = new HashMap<>(adminConfig);
        impatient.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        impatient.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Map<String, Integer> sizes = new HashMap<>();
        try (Admin admin = Admin.create(impatient)) {
            List<org.apache.kafka.common.config.ConfigResource> resources = topics.stream().map(topic ->
                    new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                            topic)).toList();
            admin.describeConfigs(resources).values().forEach((resource, config) -> {
                try {
                    var entry = config.get(timeout.toMillis(), TimeUnit.MILLISECONDS).get("max.message.bytes");
                    if (entry != null && entry.value() != null) {
                        sizes.put(resource.name(), Integer.parseInt(entry.value()));
                    }
                } catch (ExecutionException | TimeoutException | NumberFormatException e) {
                    log.debug("No max.message.bytes of {}: {}", resource.name(), e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } catch (KafkaException e) {
            log.debug("Cannot describe {}: {}", topics, e.toString());
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return sizes;
    }

    /** What to tell an operator whose topic is missing: the command that creates it, with the settings this project recommends. */
    public static String howToCreate(String bootstrap, String topic) {
        return "create it (kafka-topics.sh --bootstrap-server " + bootstrap + " --create --topic " + topic
                + " --partitions 6 --replication-factor 3 --config min.insync.replicas=2; docs/KAFKA.md),"
                + " or start the service with --create-topics";
    }

    private static ConfigException refused(String topic, String why) {
        return new ConfigException("--create-topics: could not create " + topic + ": " + why);
    }
}
