package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static io.dnstapforwarder.shipper.ShipperHarness.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.testkit.HecEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A running shipper sends each event with the source, index and indexed fields its routing file
 * gives the event's DNS server, to a HEC that accepts only the indexes it knows (as Splunk does),
 * and follows the file when it changes, without a restart.
 */
@Timeout(120)
class HecRoutingDeliveryTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Override
    HecEmulator startHec() {
        return HecEmulator.builder().token(TOKEN).allowedIndexes(Set.of("dns_a", "dns_b")).start();
    }

    @Test
    void eventsGoWhereTheRoutingFileSaysAndFollowItsChanges() throws Exception {
        Path routing = dir.resolve("routing.txt");
        Files.writeString(routing, "# every server of this test\n* index=dns_a field.site=ams1\n");
        harness.start(fastHec(hec.url(), TOKEN).toBuilder().source("resolvers").routingFile(routing).build(), 50);

        harness.produce(0, 100);
        harness.flush();
        List<JsonNode> first = hec.awaitEvents(100, WAIT);
        assertThat(first).allSatisfy(event -> {
            assertThat(event.get("index").asText()).isEqualTo("dns_a");
            assertThat(event.get("source").asText()).isEqualTo("resolvers");
            assertThat(event.at("/fields/site").asText()).isEqualTo("ams1");
        });

        Path next = dir.resolve("routing.next");
        Files.writeString(next, "* index=dns_b\n");
        Files.move(next, routing, StandardCopyOption.ATOMIC_MOVE); // as a ConfigMap update or a careful editor does
        // One event at a time until the first goes to the new index: the file is in force from then on.
        int[] produced = {100};
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            harness.produce(produced[0], produced[0] + 1);
            harness.flush();
            produced[0]++;
            return hec.events().stream().anyMatch(event -> event.get("index").asText().equals("dns_b"));
        });
        int from = produced[0];
        harness.produce(from, from + 100);
        harness.flush();

        await().atMost(WAIT).until(() -> Set.copyOf(ids(hec.events())).size() == from + 100);
        List<JsonNode> after = hec.events().stream().filter(event -> ids(List.of(event)).get(0) >= from).toList();
        assertThat(after).hasSize(100).allSatisfy(event -> {
            assertThat(event.get("index").asText()).isEqualTo("dns_b");
            assertThat(event.has("fields")).as("the new rule has none, nor do the options").isFalse();
        });
    }
}
