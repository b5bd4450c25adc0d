package io.dnstapforwarder.kafka;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Says in an operator's words why Kafka refuses this client: wrong credentials, a TLS handshake
 * that failed, or a missing ACL. Retrying does not mend these; the configuration must change
 * (or the broker's users and ACLs), so the message names what to look at.
 */
public final class KafkaRefusal {

    private KafkaRefusal() {
    }

    /** The explanation when {@code failure} (or a cause of it) is such a refusal; else {@code null}. */
    public static String explain(Throwable failure, String bootstrap) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SslAuthenticationException) {
                return "the TLS handshake with Kafka at " + bootstrap + " failed (" + cause.getMessage() + "): check "
                        + "ssl.truststore.* (the brokers' CA), ssl.keystore.* for client certificates, and the broker "
                        + "address the certificate names, in --kafka-properties-file or --kafka-property";
            }
            if (cause instanceof AuthenticationException) {
                return "Kafka at " + bootstrap + " refused this client's credentials (" + cause.getMessage() + "): check "
                        + "security.protocol, sasl.mechanism and sasl.jaas.config (user and password) in "
                        + "--kafka-properties-file or --kafka-property, and that the user exists on the cluster";
            }
            if (cause instanceof AuthorizationException) {
                return "Kafka at " + bootstrap + " does not allow this client what it needs (" + cause.getMessage()
                        + "): grant the ACLs listed in docs/KAFKA.md";
            }
        }
        return null;
    }
}
