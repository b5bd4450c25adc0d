package io.dnstapforwarder.shipper.deadletter;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check that the dead-letter topic can take the events topic's largest record: a
 * dead-letter topic with a smaller {@code max.message.bytes} could only take the largest events
 * without their value. When Kafka does not say (a topic not created yet, no DescribeConfigs
 * permission), start-up goes on: the publisher still sends what does not fit without its value.
 */
public final class DeadLetterFit {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterFit.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private DeadLetterFit() {
    }

    /** @throws ConfigException when the dead-letter topic takes smaller records than the events topic */
    public static void check(Map<String, Object> adminConfig, String eventsTopic, String deadLetterTopic) {
        Map<String, Integer> sizes;
        try {
            sizes = Topics.maxMessageBytes(adminConfig, List.of(eventsTopic, deadLetterTopic), TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // start-up is being stopped: the check is moot
            return;
        }
        Integer events = sizes.get(eventsTopic);
        Integer dead = sizes.get(deadLetterTopic);
        if (events == null || dead == null) {
            log.info("Could not compare the record sizes the topics {} and {} take (Kafka said {}); going on",
                    eventsTopic, deadLetterTopic, sizes);
            return;
        }
        if (dead < events) {
            throw new ConfigException("The dead-letter topic " + deadLetterTopic + " takes records of at most " + dead
                    + " bytes (max.message.bytes), less than the events topic " + eventsTopic + " (" + events + "): a "
                    + "large event HEC rejects could not be kept whole there. Raise it: kafka-configs.sh --bootstrap-server "
                    + "... --alter --entity-type topics --entity-name " + deadLetterTopic + " --add-config max.message.bytes="
                    + events);
        }
    }
}
