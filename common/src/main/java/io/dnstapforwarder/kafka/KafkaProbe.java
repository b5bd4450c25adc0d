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

    /** What stands in the way, if anything. */
    public enum Problem {
        NONE,
        /** No answer in time, or a broker-side error: retrying may mend it. */
        UNREACHABLE,
        /** Kafka answers but has no such topic: an operator's step is missing, not a network or a broker. */
        TOPIC_MISSING,
        /** Kafka refuses this client: credentials, TLS or ACLs; only a configuration change mends it. */
        REFUSED
    }

    /** The outcome of one probe. */
    public record Result(boolean ok, String detail, Problem problem) {

        static Result ok(String detail) {
            return new Result(true, detail, Problem.NONE);
        }

        static Result failed(Problem problem, String detail) {
            return new Result(false, detail, problem);
        }

        public boolean topicMissing() {
            return problem == Problem.TOPIC_MISSING;
        }

        /** A problem an operator must fix (a missing topic, a refusal), not one that passes. */
        public boolean needsOperator() {
            return problem == Problem.TOPIC_MISSING || problem == Problem.REFUSED;
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
            return Result.ok("topic " + topic + " has " + description.partitions().size() + " partitions");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.failed(Problem.UNREACHABLE, "interrupted");
        } catch (TimeoutException e) {
            return Result.failed(Problem.UNREACHABLE, "Kafka did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Result.failed(Problem.TOPIC_MISSING, "topic " + topic + " does not exist in Kafka at " + bootstrap
                        + ": " + Topics.howToCreate(bootstrap, topic));
            }
            String refusal = KafkaRefusal.explain(e.getCause(), bootstrap);
            return refusal != null ? Result.failed(Problem.REFUSED, refusal)
                    : Result.failed(Problem.UNREACHABLE, "Kafka: " + e.getCause().getMessage());
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
