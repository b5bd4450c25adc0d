package io.dnstapforwarder.kafka;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a consumer group rebalances: incrementally, so that a shipper joining or leaving moves only
 * the partitions that change owner and every other partition goes on being delivered. The
 * broker-driven protocol of KIP-848 ({@code group.protocol=consumer}) where the cluster has it
 * enabled (the {@code group.version} feature, Kafka 4.0 and later); otherwise the classic protocol
 * with the cooperative-sticky assignor (Kafka's default assignor list starts with the eager range
 * assignor, which revokes every partition of every member at each change). A
 * {@code group.protocol} given as a Kafka property wins.
 */
public final class GroupProtocol {

    private static final Logger log = LoggerFactory.getLogger(GroupProtocol.class);
    static final String FEATURE = "group.version";

    private GroupProtocol() {
    }

    /** The consumer settings for {@code properties} and the cluster {@code adminConfig} reaches. */
    public static Map<String, Object> settings(Map<String, Object> adminConfig, Map<String, String> properties) {
        String asked = properties.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        if (asked != null) {
            return asked.equalsIgnoreCase("classic") && !properties.containsKey(
                    ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG) ? cooperativeClassic() : Map.of();
        }
        String why = brokerSupport(adminConfig);
        if (why == null) {
            log.info("Consumer group protocol: consumer (KIP-848; the cluster has {} enabled): a rebalance moves only "
                    + "the partitions that change owner", FEATURE);
            return Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        }
        log.info("Consumer group protocol: classic with the cooperative-sticky assignor ({}): a rebalance moves only "
                + "the partitions that change owner", why);
        return cooperativeClassic();
    }

    private static Map<String, Object> cooperativeClassic() {
        return Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    }

    /** Null when the cluster has the new protocol enabled; else why not, or why it could not tell. */
    private static String brokerSupport(Map<String, Object> adminConfig) {
        try (Admin admin = Admin.create(adminConfig)) {
            FinalizedVersionRange version = admin.describeFeatures().featureMetadata().get(10, TimeUnit.SECONDS)
                    .finalizedFeatures().get(FEATURE);
            return version != null && version.maxVersionLevel() >= 1 ? null
                    : "the cluster does not have " + FEATURE + " enabled";
        } catch (ExecutionException | TimeoutException e) {
            return "could not ask the cluster for its features: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking the cluster for its features";
        }
    }
}
