package io.dnstapforwarder.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
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

    @Option(names = "--kafka-properties-file", paramLabel = "FILE",
            description = "A Kafka client properties file (the format of Kafka's own client.properties), for the "
                    + "producer, consumer and admin clients: where TLS and SASL settings belong, e.g. mounted from a "
                    + "Secret. --kafka-property wins over it.")
    private Path propertiesFile;

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

    /** The client properties: those of --kafka-properties-file, then --kafka-property over them. */
    public Map<String, String> properties() {
        Map<String, String> merged = new LinkedHashMap<>(fromFile());
        merged.putAll(properties);
        return Map.copyOf(merged);
    }

    private Map<String, String> fromFile() {
        if (propertiesFile == null) {
            return Map.of();
        }
        Properties loaded = new Properties();
        try (Reader reader = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
            loaded.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw ConfigException.invalid("--kafka-properties-file", propertiesFile, "cannot be read: " + e);
        }
        Map<String, String> read = new LinkedHashMap<>();
        loaded.stringPropertyNames().forEach(key -> read.put(key.trim(), loaded.getProperty(key).trim()));
        return read;
    }
}
