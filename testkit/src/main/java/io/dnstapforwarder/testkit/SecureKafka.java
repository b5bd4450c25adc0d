package io.dnstapforwarder.testkit;

import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A real broker that requires what production clusters do: a SASL_SSL listener (TLS, the broker's
 * certificate signed by a test CA, and SCRAM-SHA-512 or PLAIN users) and ACLs (KRaft's
 * StandardAuthorizer: a user may do only what it was granted). Its PLAINTEXT listener (a super
 * user) is for the test's own set-up (users, ACLs, topics) and for reading what arrived, never for
 * the code under test.
 */
public final class SecureKafka implements AutoCloseable {

    public static final String USER = "dnstap";
    /** With a comma and quotes' neighbours, as real passwords have. */
    public static final String PASSWORD = "s3cret,with=odd\\chars";
    public static final String PLAIN_USER = "plain-dnstap";
    public static final String PLAIN_PASSWORD = "plain-s3cret";

    private final EmbeddedKafka kafka;
    private final EmbeddedKafka.Listener secure;
    private final EmbeddedKafka.Listener mutualTls;
    private final TestCertificates certificates;

    private SecureKafka(EmbeddedKafka kafka, EmbeddedKafka.Listener secure, EmbeddedKafka.Listener mutualTls,
            TestCertificates certificates) {
        this.kafka = kafka;
        this.secure = secure;
        this.mutualTls = mutualTls;
        this.certificates = certificates;
    }

    public static SecureKafka start(Path dir) throws IOException {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        TestCertificates certificates = TestCertificates.create(tls);
        // Kafka's PEM key store: the private key, then the certificate chain, in one file.
        Path keyStore = tls.resolve("broker-keystore.pem");
        Files.writeString(keyStore, Files.readString(certificates.serverKey()) + Files.readString(
                certificates.serverCertificate()));
        EmbeddedKafka.Listener secure = new EmbeddedKafka.Listener("SASL_SSL", "SASL_SSL", FreePorts.one());
        EmbeddedKafka.Listener mutualTls = new EmbeddedKafka.Listener("SSL", "SSL", FreePorts.one());
        String prefix = "listener.name.sasl_ssl.";
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "listener.name.ssl.ssl.keystore.type", "PEM",
                "listener.name.ssl.ssl.keystore.location", keyStore.toString(),
                "listener.name.ssl.ssl.truststore.type", "PEM",
                "listener.name.ssl.ssl.truststore.location", certificates.ca().toString(),
                "listener.name.ssl.ssl.client.auth", "required"));
        settings.putAll(Map.of(
                prefix + "ssl.keystore.type", "PEM",
                prefix + "ssl.keystore.location", keyStore.toString(),
                prefix + "sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN",
                prefix + "scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                prefix + "plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "user_" + PLAIN_USER + "=\"" + PLAIN_PASSWORD + "\";",
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                // The broker itself and the set-up listener are PLAINTEXT, whose principal is ANONYMOUS.
                "super.users", "User:ANONYMOUS"));
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0, settings,
                List.of(secure, mutualTls));
        SecureKafka started = new SecureKafka(kafka, secure, mutualTls, certificates);
        started.createScramUser(USER, PASSWORD);
        return started;
    }

    /** The SASL_SSL listener: what the code under test connects to. */
    public String bootstrapServers() {
        return kafka.bootstrapServers(secure);
    }

    /** The SSL listener that requires a client certificate of {@link #ca()}'s (mutual TLS). */
    public String mutualTlsBootstrapServers() {
        return kafka.bootstrapServers(mutualTls);
    }

    /**
     * Client properties for mutual TLS with a new client certificate of {@code subject} (its
     * principal is {@code User:<subject>}): the key and chain in one PEM key store, as docs/KAFKA.md
     * says.
     */
    public Map<String, String> mutualTlsClient(String subject) throws IOException {
        Path[] client = certificates.client(subject);
        Path keyStore = Files.writeString(client[0].resolveSibling(client[0].getFileName() + "-keystore.pem"),
                Files.readString(client[1]) + Files.readString(client[0]));
        return Map.of("security.protocol", "SSL", "ssl.keystore.type", "PEM", "ssl.keystore.location", keyStore.toString(),
                "ssl.truststore.type", "PEM", "ssl.truststore.location", ca().toString());
    }

    /** The PLAINTEXT listener, for the test's own set-up and checks. */
    public String setupBootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The CA that signed the broker's certificate (PEM). */
    public Path ca() {
        return certificates.ca();
    }

    /** Client properties for SCRAM-SHA-512 as {@code user} with {@code password}, verifying the broker. */
    public Map<String, String> scramClient(String user, String password) {
        return Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + escaped(password) + "\";",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", ca().toString());
    }

    /** The same for PLAIN. */
    public Map<String, String> plainClient(String user, String password) {
        return Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + escaped(password) + "\";",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", ca().toString());
    }

    /** Writes client properties as a Kafka client properties file. */
    public static Path writeProperties(Path file, Map<String, String> properties) throws IOException {
        Properties out = new Properties();
        out.putAll(properties);
        try (Writer writer = Files.newBufferedWriter(file)) {
            out.store(writer, "Kafka client properties");
        }
        return file;
    }

    /**
     * Grants {@code user} what the forwarder's services and tools need on {@code topic} and
     * {@code deadLetterTopic}, and on the groups whose names start with "dnstap-": exactly the
     * ACLs docs/KAFKA.md lists, so that a test with them proves the list.
     */
    public void grantForwarder(String user, String topic, String deadLetterTopic) {
        String principal = "User:" + user;
        List<AclBinding> acls = new java.util.ArrayList<>();
        for (AclOperation operation : List.of(AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)) {
            acls.add(allow(principal, new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), operation));
        }
        for (AclOperation operation : List.of(AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE,
                AclOperation.DELETE)) {
            acls.add(allow(principal, new ResourcePattern(ResourceType.TOPIC, deadLetterTopic, PatternType.LITERAL),
                    operation));
        }
        acls.add(allow(principal, new ResourcePattern(ResourceType.GROUP, "dnstap-", PatternType.PREFIXED),
                AclOperation.READ));
        grant(acls);
    }

    /** Grants {@code user} (a SASL user name, or a certificate subject) every operation on {@code topic}. */
    public void grantAll(String user, String topic) {
        grant(List.of(allow("User:" + user, new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                AclOperation.ALL)));
    }

    private void grant(List<AclBinding> acls) {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, setupBootstrapServers()))) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create ACLs " + acls, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static AclBinding allow(String principal, ResourcePattern resource, AclOperation operation) {
        return new AclBinding(resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    public void createTopic(String name, int partitions) {
        kafka.createTopic(name, partitions);
    }

    private void createScramUser(String user, String password) {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, setupBootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the SCRAM user " + user, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** JAAS quotes: a backslash and a double quote are escaped. */
    private static String escaped(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public void close() {
        kafka.close();
    }
}
