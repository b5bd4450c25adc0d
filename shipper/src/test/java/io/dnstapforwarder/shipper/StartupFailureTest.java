package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.config.HostPort;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Start-up that fails part way stops, in order, what had already started: no thread is left running. */
@Timeout(60)
class StartupFailureTest extends ShipperIntegrationTest {

    @Test
    void anOpsPortThatIsTakenStopsStartUpAndLeavesNothingRunning() throws Exception {
        ShipperConfig base = harness.config("startup-failure", fastHec(hec.url(), TOKEN).withAck(
                HecConfig.Ack.on(Duration.ofMillis(100), Duration.ofMinutes(1))), 10);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ShipperConfig config = base.toBuilder().monitoring(new HostPort("127.0.0.1", taken.getLocalPort())).build();

            assertThatThrownBy(() -> Shipper.start(config)).hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }

        // The consumer loop, the workers, the ack poller, the shaping watcher and every Kafka client of this
        // shipper (its consumer, dead-letter producer, probe) stopped with it.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(threadsOf("startup-failure"))
                .isEmpty());
    }

    private static List<String> threadsOf(String shipperId) {
        Set<String> ours = Set.of("dnstap-shipper", "dnstap-ack-poller", "dnstap-shaping-file");
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> ours.contains(name) || name.startsWith("dnstap-deliver-") || name.contains(shipperId))
                .collect(Collectors.toList());
    }
}
