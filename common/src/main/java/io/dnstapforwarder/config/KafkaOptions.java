package io.dnstapforwarder.config;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every service has for reaching Kafka. */
public final class KafkaOptions {

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "127.0.0.1:9092",
            description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
    private String bootstrap;

    @Option(names = "--kafka-topic", paramLabel = "TOPIC", defaultValue = "dnstap.events",
            description = "Topic the collector publishes dnstap events to and the shipper consumes. Default: ${DEFAULT-VALUE}.")
    private String topic;

    /**
     * Pairs are split at a comma only where the next pair's {@code key=} follows, so that a value
     * with commas stays whole: {@code ssl.enabled.protocols=TLSv1.2,TLSv1.3} is one property.
     */
    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", split = ",(?=[A-Za-z0-9_.-]+=)", mapFallbackValue = "",
            description = "A Kafka client property passed through to the producer, consumer and admin clients "
                    + "(e.g. security.protocol=SSL); repeat the flag or separate with commas (a value may hold "
                    + "commas: ssl.enabled.protocols=TLSv1.2,TLSv1.3). Values of properties whose names say "
                    + "password, secret, key, token, credential or jaas are never logged.")
    private Map<String, String> properties = new LinkedHashMap<>();

    public String bootstrap() {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw ConfigException.invalid("--kafka-bootstrap", bootstrap, "must name at least one host:port");
        }
        return bootstrap;
    }

    public String topic() {
        if (topic == null || topic.isBlank()) {
            throw ConfigException.invalid("--kafka-topic", topic, "must not be empty");
        }
        return topic;
    }

    public Map<String, String> properties() {
        return Map.copyOf(properties);
    }
}
