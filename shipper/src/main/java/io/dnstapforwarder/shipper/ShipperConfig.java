package io.dnstapforwarder.shipper;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.config.Require;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import io.dnstapforwarder.shipper.shape.Shaping;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The shipper's configuration. Each record declares its defaults (the options read them from
 * here) and validates itself when built: a value that cannot work is a {@link ConfigException}
 * naming the option, and nothing is clamped.
 *
 * @param dataDir local data: {@code events.jsonl} when there is no HEC URL
 * @param monitoring the ops endpoint, or {@code null} when monitoring is off
 * @param performanceLogInterval how often to log a line of rates; zero for never
 * @param shaping what of the events reaches Splunk, and with which fields
 * @param transactions whether queries and responses are paired into one event per DNS transaction
 */
public record ShipperConfig(String shipperId, HecConfig hec, Batching batching, Kafka kafka, Path dataDir, HostPort monitoring,
        Duration performanceLogInterval, Guards guards, Shaping shaping, PairingSettings transactions) {

    /** Where events go without a HEC URL. */
    public Path eventsFile() {
        return dataDir.resolve("events.jsonl");
    }

    /** For logs and the start-up banner: where events go. */
    public String destination() {
        return hec.urls().isEmpty() ? eventsFile().toAbsolutePath().toString()
                : hec.urls().stream().map(URI::toString).collect(Collectors.joining(", "));
    }

    /** A configuration reading {@code kafka}, keeping local data in {@code dataDir}; everything else at its default. */
    public static Builder builder(String shipperId, Kafka kafka, Path dataDir) {
        return new Builder(shipperId, kafka, dataDir);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(shipperId, kafka, dataDir).hec(hec).batching(batching).monitoring(monitoring)
                .performanceLogInterval(performanceLogInterval).guards(guards).shaping(shaping).transactions(transactions);
    }

    public ShipperConfig withKafka(Kafka kafka) {
        return toBuilder().kafka(kafka).build();
    }

    public ShipperConfig withGuards(Guards guards) {
        return toBuilder().guards(guards).build();
    }

    public ShipperConfig withShaping(Shaping shaping) {
        return toBuilder().shaping(shaping).build();
    }

    /**
     * The settings by name: no HEC URL (events go to {@code events.jsonl}), default batching and
     * guards, no monitoring endpoint, no performance log, no shaping, until set.
     */
    public static final class Builder {
        private final String shipperId;
        private Kafka kafka;
        private final Path dataDir;
        private HecConfig hec = HecConfig.none();
        private Batching batching = Batching.DEFAULTS;
        private HostPort monitoring;
        private Duration performanceLogInterval = Duration.ZERO;
        private Guards guards = Guards.DEFAULTS;
        private Shaping shaping = Shaping.NONE;
        private PairingSettings transactions = PairingSettings.OFF;

        private Builder(String shipperId, Kafka kafka, Path dataDir) {
            this.shipperId = shipperId;
            this.kafka = kafka;
            this.dataDir = dataDir;
        }

        public Builder hec(HecConfig hec) {
            this.hec = hec;
            return this;
        }

        public Builder kafka(Kafka kafka) {
            this.kafka = kafka;
            return this;
        }

        public Builder batching(Batching batching) {
            this.batching = batching;
            return this;
        }

        /** The ops endpoint; {@code null} for none. */
        public Builder monitoring(HostPort monitoring) {
            this.monitoring = monitoring;
            return this;
        }

        /** How often to log a line of rates; zero for never. */
        public Builder performanceLogInterval(Duration performanceLogInterval) {
            this.performanceLogInterval = performanceLogInterval;
            return this;
        }

        public Builder guards(Guards guards) {
            this.guards = guards;
            return this;
        }

        public Builder shaping(Shaping shaping) {
            this.shaping = shaping;
            return this;
        }

        public Builder transactions(PairingSettings transactions) {
            this.transactions = transactions;
            return this;
        }

        public ShipperConfig build() {
            return new ShipperConfig(shipperId, hec, batching, kafka, dataDir, monitoring, performanceLogInterval, guards,
                    shaping, transactions);
        }
    }

    /**
     * What keeps a fault from draining or wedging the stream unseen.
     *
     * @param deadLetterMaxPercent the most of the events that may go to the dead-letter topic
     *     before dead-lettering pauses (a misconfiguration must not empty the stream there); 100: never pauses
     * @param maxUnsettled how long a batch may wait for delivery before the shipper stops being
     *     ready, naming the partition
     */
    public record Guards(int deadLetterMaxPercent, Duration maxUnsettled) {

        public static final int DEFAULT_DEAD_LETTER_MAX_PERCENT = 50;
        public static final long DEFAULT_MAX_UNSETTLED_SECONDS = 600;
        public static final Guards DEFAULTS = new Guards(DEFAULT_DEAD_LETTER_MAX_PERCENT,
                Duration.ofSeconds(DEFAULT_MAX_UNSETTLED_SECONDS));

        public Guards {
            Require.between("--dlq-max-percent", deadLetterMaxPercent, 1, 100, "must be a percentage, 1 to 100");
            Require.atLeast("--max-unsettled-sec", maxUnsettled.toSeconds(), 1);
        }
    }

    /**
     * @param maxEvents most events in one batch (and one request)
     * @param maxBytes most bytes in one request
     * @param flushInterval longest time an event waits for its batch to fill
     */
    public record Batching(int maxEvents, long maxBytes, Duration flushInterval) {

        public static final int DEFAULT_MAX_EVENTS = 1000;
        public static final long DEFAULT_MAX_BYTES = 1_000_000;
        public static final long DEFAULT_FLUSH_INTERVAL_SECONDS = 1;
        public static final Batching DEFAULTS = new Batching(DEFAULT_MAX_EVENTS, DEFAULT_MAX_BYTES,
                Duration.ofSeconds(DEFAULT_FLUSH_INTERVAL_SECONDS));

        public Batching {
            Require.atLeast("--batch-size", maxEvents, 1);
            Require.atLeast("--batch-bytes", maxBytes, 1024);
            if (flushInterval.isNegative() || flushInterval.isZero() || flushInterval.compareTo(Duration.ofHours(1)) > 0) {
                throw ConfigException.invalid("--flush-interval-sec", flushInterval.toNanos() / 1e9,
                        "must be above 0 and at most 3600");
            }
        }
    }

    public record Kafka(String bootstrap, String topic, String group, String deadLetterTopic, Map<String, String> properties) {

        public static final String DEFAULT_GROUP = "dnstap-shipper";
        public static final String DEFAULT_DEAD_LETTER_TOPIC = "dnstap.dlq";

        public Kafka {
            properties = Map.copyOf(properties);
        }

        /** The same cluster and settings, reading {@code topic} as {@code group}. */
        public Kafka reading(String topic, String group) {
            return new Kafka(bootstrap, topic, group, deadLetterTopic, properties);
        }
    }
}
