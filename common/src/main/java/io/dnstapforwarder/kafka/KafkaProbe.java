package io.dnstapforwarder.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Answers "does Kafka answer, and does the topic exist?" for readiness probes, at most once per
 * {@code cacheFor}, so that frequent probes do not load the cluster.
 */
public final class KafkaProbe implements AutoCloseable {

    /**
     * The outcome of one probe.
     *
     * @param topicMissing Kafka answers but has no such topic: an operator's step is missing, not
     *     a network or a broker
     */
    public record Result(boolean ok, String detail, boolean topicMissing) {

        Result(boolean ok, String detail) {
            this(ok, detail, false);
        }
    }

    private final Admin admin;
    private final String bootstrap;
    private final String topic;
    private final Duration cacheFor;
    private final Duration timeout;
    private final Clock clock;
    private Result last;
    private Instant lastAt = Instant.MIN;

    public KafkaProbe(Map<String, Object> adminConfig, String topic, Duration cacheFor, Duration timeout, Clock clock) {
        this.admin = Admin.create(adminConfig);
        this.bootstrap = String.valueOf(adminConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        this.topic = topic;
        this.cacheFor = cacheFor;
        this.timeout = timeout;
        this.clock = clock;
    }

    public synchronized Result probe() {
        Instant now = clock.instant();
        if (last != null && now.isBefore(lastAt.plus(cacheFor))) {
            return last;
        }
        last = ask();
        lastAt = now;
        return last;
    }

    private Result ask() {
        try {
            TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            return new Result(true, "topic " + topic + " has " + description.partitions().size() + " partitions");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        } catch (TimeoutException e) {
            return new Result(false, "Kafka did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return new Result(false, "topic " + topic + " does not exist in Kafka at " + bootstrap + ": "
                        + Topics.howToCreate(bootstrap, topic), true);
            }
            return new Result(false, "Kafka: " + e.getCause().getMessage());
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
