package io.dnstapforwarder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.kafka.KafkaProbe;
import io.dnstapforwarder.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The broker the security tests use does require TLS and SASL, and says why it refuses. */
@Timeout(120)
class SecureKafkaTest {

    @TempDir
    static Path dir;

    private static SecureKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = SecureKafka.start(dir);
        kafka.createTopic("secure", 1);
        kafka.grantAll(SecureKafka.USER, "secure");
        kafka.grantAll(SecureKafka.PLAIN_USER, "secure");
        kafka.createTopic("secure-tls", 1);
        kafka.grantAll("CN=resolver-tls", "secure-tls");
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void takesAndServesRecordsOverSaslSslWithScramAndWithPlain() throws Exception {
        produce(kafka.scramClient(SecureKafka.USER, SecureKafka.PASSWORD), "scram");
        produce(kafka.plainClient(SecureKafka.PLAIN_USER, SecureKafka.PLAIN_PASSWORD), "plain");

        assertThat(consume(kafka.scramClient(SecureKafka.USER, SecureKafka.PASSWORD), 2)).containsExactly("scram", "plain");
    }

    @Test
    void takesAndServesRecordsOverMutualTlsWithAClientCertificateInAPemKeyStore() throws Exception {
        Map<String, String> client = kafka.mutualTlsClient("CN=resolver-tls");

        produce(kafka.mutualTlsBootstrapServers(), "secure-tls", client, "mutual-tls");

        assertThat(consume(kafka.mutualTlsBootstrapServers(), "secure-tls", client, 1)).containsExactly("mutual-tls");
    }

    @Test
    void refusesAWrongPasswordAndTheProbeSaysSoInAnOperatorsWords() {
        Map<String, String> wrong = kafka.scramClient(SecureKafka.USER, "not-the-password");

        assertThatThrownBy(() -> consume(wrong, 1)).isInstanceOf(SaslAuthenticationException.class);
        try (KafkaProbe probe = new KafkaProbe(KafkaSettings.admin(kafka.bootstrapServers(), "probe", wrong), "secure",
                Duration.ZERO, Duration.ofSeconds(10), Clock.systemUTC())) {
            KafkaProbe.Result result = probe.probe();
            assertThat(result.ok()).isFalse();
            assertThat(result.problem()).isEqualTo(KafkaProbe.Problem.REFUSED);
            assertThat(result.detail()).startsWith("Kafka at " + kafka.bootstrapServers() + " refused this client's "
                    + "credentials (Authentication failed during authentication due to invalid credentials with SASL "
                    + "mechanism SCRAM-SHA-512)");
        }
    }

    @Test
    void kafkasOwnComplaintsAboutAWrongPasswordAreFoldedIntoOneLine() {
        Map<String, String> wrong = kafka.scramClient(SecureKafka.USER, "not-the-password");
        try (LogLines lines = LogLines.everything()) {
            Map<String, Object> config = new HashMap<>(wrong);
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            int refusals = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.assign(List.of(new TopicPartition("secure", 0)));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4); // Kafka retries about once a second
                while (System.nanoTime() < deadline) {
                    try {
                        consumer.poll(Duration.ofMillis(200));
                    } catch (SaslAuthenticationException e) {
                        refusals++;
                    }
                }
            }

            assertThat(refusals).as("the client was refused again and again").isGreaterThan(1);
            assertThat(lines.messages()).filteredOn(line -> line.contains("failed authentication")).hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void refusesWhatAUserWasNotGrantedAndTheProbeNamesTheAcls() {
        kafka.createTopic("not-granted", 1);
        Map<String, String> client = kafka.scramClient(SecureKafka.USER, SecureKafka.PASSWORD);

        try (KafkaProbe probe = new KafkaProbe(KafkaSettings.admin(kafka.bootstrapServers(), "probe", client),
                "not-granted", Duration.ZERO, Duration.ofSeconds(10), Clock.systemUTC())) {
            KafkaProbe.Result result = probe.probe();
            assertThat(result.problem()).isEqualTo(KafkaProbe.Problem.REFUSED);
            assertThat(result.detail()).startsWith("Kafka at " + kafka.bootstrapServers() + " does not allow this client "
                    + "what it needs").endsWith("grant the ACLs listed in docs/KAFKA.md");
        }
    }

    @Test
    void refusesPlaintextOnTheSecureListener() {
        try (KafkaProbe probe = new KafkaProbe(KafkaSettings.admin(kafka.bootstrapServers(), "probe", Map.of()), "secure",
                Duration.ZERO, Duration.ofSeconds(3), Clock.systemUTC())) {
            assertThat(probe.probe().ok()).isFalse();
        }
    }

    private void produce(Map<String, String> client, String value) throws Exception {
        produce(kafka.bootstrapServers(), "secure", client, value);
    }

    private void produce(String bootstrap, String topic, Map<String, String> client, String value) throws Exception {
        Map<String, Object> config = new HashMap<>(client);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }

    private List<String> consume(Map<String, String> client, int count) {
        return consume(kafka.bootstrapServers(), "secure", client, count);
    }

    /** The first {@code count} values of the topic's one partition (fewer if they do not come within 30 s). */
    private List<String> consume(String bootstrap, String topic, Map<String, String> client, int count) {
        Map<String, Object> config = new HashMap<>(client);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<String> values = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }
}
