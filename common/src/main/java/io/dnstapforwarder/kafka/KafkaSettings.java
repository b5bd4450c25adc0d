package io.dnstapforwarder.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka client settings for both services, in one place. Properties the operator passes with
 * {@code --kafka-property} override these, except the serializers, which are part of the
 * contract.
 */
public final class KafkaSettings {

    private KafkaSettings() {
    }

    /** The wait of a producer whose every send is awaited (dead letters, redrive): short. */
    public static final Duration SHORT_LINGER = Duration.ofMillis(5);
    /** What a fetch asks the broker to gather before it answers: a few thousand records, about one HEC request. */
    public static final int FETCH_MIN_BYTES = 1024 * 1024;
    /** The longest a fetch waits for {@link #FETCH_MIN_BYTES}: Kafka's default. */
    public static final Duration MAX_FETCH_WAIT = Duration.ofMillis(500);

    /** A producer for records each of which is awaited: {@link #producer(String, String, Duration, Map)}, short linger. */
    public static Map<String, Object> producer(String bootstrap, String clientId, Map<String, String> overrides) {
        return producer(bootstrap, clientId, SHORT_LINGER, overrides);
    }

    /**
     * The collector's producer: durable ({@code acks=all}, idempotent, so retries neither lose
     * nor duplicate), compressed, and patient. Records wait in the producer while Kafka is down
     * instead of expiring: the collector bounds what it has outstanding itself and stops reading
     * sockets when that bound is reached.
     *
     * <p>{@code linger} is what a record may wait for others to share its request. The batch
     * (256 KiB) fills long before it at high rates, so flat out nothing waits; at a DNS server's
     * pace it turns a request per frame into a request per linger, which is where the broker's and
     * the producer's cost per message goes at low rates (docs/PERFORMANCE.md, "At a DNS server's pace").
     */
    public static Map<String, Object> producer(String bootstrap, String clientId, Duration linger,
            Map<String, String> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.LINGER_MS_CONFIG, (int) linger.toMillis());
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        // How long send() may block on metadata or a full buffer before the caller logs and retries.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        config.putAll(overrides);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /** A consumer with the longest fetch wait: {@link #consumer(String, String, String, Duration, Map)}. */
    public static Map<String, Object> consumer(String bootstrap, String groupId, String clientId,
            Map<String, String> overrides) {
        return consumer(bootstrap, groupId, clientId, MAX_FETCH_WAIT, overrides);
    }

    /**
     * The shipper's consumer: offsets are committed by the shipper only for what HEC accepted, and
     * a new group starts from the oldest retained record, so nothing in Kafka is skipped.
     *
     * <p>A fetch is answered when {@link #FETCH_MIN_BYTES} are there or after {@code fetchWait}:
     * flat out at once, at a DNS server's pace a few times a second instead of once per record.
     */
    public static Map<String, Object> consumer(String bootstrap, String groupId, String clientId, Duration fetchWait,
            Map<String, String> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetchWait.toMillis());
        config.putAll(overrides);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    /** An admin client for health checks: short timeouts, so a probe answers quickly. */
    public static Map<String, Object> admin(String bootstrap, String clientId, Map<String, String> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        // Security settings (SASL, TLS) given for the producer or consumer apply here too.
        overrides.forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                config.put(key, value);
            }
        });
        return config;
    }
}
