package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.shipper.cli.ReplayCommand;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import io.dnstapforwarder.shipper.consume.TransactionPairing;
import io.dnstapforwarder.testkit.Json;
import io.dnstapforwarder.testkit.LogLines;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --transactions} through Kafka: Unbound's real queries and responses, keyed as the collector
 * keys them, become one event per DNS transaction; a half waiting for its partner holds its
 * partition's commit, so a shipper stopped in the middle pairs it after the restart.
 */
@Timeout(180)
class TransactionsTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The capture: 326 queries, each followed by its response. */
    private static final int FRAMES = 652;

    @Test
    void sendsOneEventPerTransactionEachQueryPairedWithItsResponse() throws Exception {
        IntStream.range(0, FRAMES).forEach(harness::sendKeyed);
        harness.flush();
        Shipper shipper = harness.start(transactions(harness.config("pairing", fastHec(hec.url(), TOKEN), 50)));

        List<JsonNode> events = hec.awaitEvents(FRAMES / 2, WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));

        assertThat(events).hasSize(FRAMES / 2);
        assertThat(events).allSatisfy(event -> {
            assertThat(event.at("/event/transaction").asText()).isEqualTo("paired");
            assertThat(event.at("/event/duration").decimalValue()).isNotNegative();
        });
        assertThat(transactionsOf(events)).hasSize(FRAMES / 2);
        JsonNode stats = Json.exactDecimals().readTree(ShipperHarness.get(shipper, "/stats").body()).get("transactions");
        assertThat(stats.get("pending").asInt()).isZero();
        assertThat(stats.at("/events/paired").asLong()).isEqualTo(FRAMES / 2);
        assertThat(ShipperHarness.get(shipper, "/metrics").body())
                .contains("dnstap_shipper_transactions_total{", "kind=\"paired\"")
                .contains("dnstap_shipper_transactions_pending{");
    }

    @Test
    void aQueryWaitingForItsResponseHoldsTheCommitSoAShipperRestartedInTheMiddlePairsIt() throws Exception {
        // The first 400 messages, but the responses of queries 300 to 399 come only after the restart.
        Set<Integer> late = IntStream.range(300, 400).filter(n -> n % 2 == 1).boxed().collect(Collectors.toSet());
        IntStream.range(0, 400).filter(n -> !late.contains(n)).forEach(harness::sendKeyed);
        harness.flush();
        ShipperConfig config = transactions(harness.config("pairing", fastHec(hec.url(), TOKEN), 20));
        Shipper first = harness.start(config);
        await().atMost(WAIT).until(() -> hec.eventCount() >= 150);
        await().atMost(WAIT).untilAsserted(() -> assertThat(pending(first)).isEqualTo(late.size()));
        Map<TopicPartition, Long> held = harness.committed();
        first.close();

        assertThat(sum(held)).as("the waiting queries hold the commit back").isLessThan(400 - late.size());
        late.forEach(harness::sendKeyed);
        IntStream.range(400, FRAMES).forEach(harness::sendKeyed);
        harness.flush();
        harness.start(config);

        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
        List<JsonNode> events = hec.events();
        assertThat(events).allSatisfy(event -> assertThat(event.at("/event/transaction").asText()).isEqualTo("paired"));
        assertThat(transactionsOf(events)).as("every transaction, at least once").hasSize(FRAMES / 2);
    }

    @Test
    void aQueryNobodyAnswersIsSentUnansweredAfterTheWindowAndAResponseAloneAsResponseOnly() throws Exception {
        harness.sendKeyed(0); // a query whose response never comes
        harness.sendKeyed(3); // a response whose query never came
        harness.sendKeyed(4);
        harness.sendKeyed(5);
        harness.flush();
        ShipperConfig config = harness.config("pairing", fastHec(hec.url(), TOKEN), 50).toBuilder()
                .transactions(new PairingSettings(true, Duration.ofSeconds(3), 1000)).build();
        harness.start(config);

        List<JsonNode> events = hec.awaitEvents(3, WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));

        assertThat(events).extracting(event -> event.at("/event/transaction").asText())
                .containsExactlyInAnyOrder("unanswered", "response_only", "paired");
        JsonNode unanswered = events.stream().filter(event -> event.at("/event/transaction").asText().equals("unanswered"))
                .findFirst().orElseThrow();
        assertThat(unanswered.at("/event/message_type").asText()).isEqualTo("Query");
    }

    @Test
    void queriesNobodyAnswersWaitBoundedTheOldestSentAtOnceAndCounted() throws Exception {
        IntStream.range(0, 200).filter(n -> n % 2 == 0).forEach(harness::sendKeyed); // 100 queries, no response
        harness.flush();
        Shipper shipper = harness.start(harness.config("pairing", fastHec(hec.url(), TOKEN), 50).toBuilder()
                .transactions(new PairingSettings(true, Duration.ofMinutes(10), 10)).build());

        List<JsonNode> events = hec.awaitEvents(90, WAIT);

        assertThat(events).hasSize(90).allSatisfy(event ->
                assertThat(event.at("/event/transaction").asText()).isEqualTo("unanswered"));
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode stats = Json.exactDecimals().readTree(ShipperHarness.get(shipper, "/stats").body())
                    .get("transactions");
            assertThat(stats.get("evicted").asLong()).isEqualTo(90);
            assertThat(stats.get("pending").asInt()).isEqualTo(10);
        });
        assertThat(sum(harness.committed())).as("the ten waiting hold their partitions' commits").isLessThan(100);
    }

    @Test
    void saysOnceWhenRecordsComeWithoutTheCollectorsTransactionKey() throws Exception {
        harness.produce(0, 20, 0); // as a collector without --partition-key transaction (one partition: they pair)
        try (LogLines lines = LogLines.of(TransactionPairing.class)) {
            harness.start(transactions(harness.config("pairing", fastHec(hec.url(), TOKEN), 50)));

            assertThat(hec.awaitEvents(10, WAIT)).allSatisfy(event ->
                    assertThat(event.at("/event/transaction").asText()).isEqualTo("paired"));
            assertThat(lines.messages()).singleElement().asString()
                    .contains("without a key", "--partition-key transaction");
        }
    }

    @Test
    void replayPairsTheTransactionsOfATimeRangeAndEndsWhatItsEdgeCutsInTwo() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(2));
        Instant t1 = t0.plus(Duration.ofHours(1));
        IntStream.range(0, 100).forEach(n -> harness.sendKeyed(n, t0));
        IntStream.range(100, 201).forEach(n -> harness.sendKeyed(n, t1)); // 50 pairs, and query 200 alone
        harness.sendKeyed(201, t1.plus(Duration.ofHours(1))); // its response, past the range
        harness.flush();

        int status = Cli.execute(new ReplayCommand(), transactionsEnvironment(), "--from", t1.toString(), "--to",
                t1.plusSeconds(60).toString());

        assertThat(status).isZero();
        assertThat(hec.events()).extracting(event -> event.at("/event/transaction").asText())
                .containsOnly("paired", "unanswered").hasSize(51).filteredOn("unanswered"::equals).hasSize(1);
        assertThat(transactionsOf(hec.events())).hasSize(51);
    }

    @Test
    void tapPrintsTheTransactionsAsTheShipperWouldSendThem() throws Exception {
        IntStream.range(0, 20).forEach(harness::sendKeyed);
        harness.flush();
        List<String> lines = tap(transactionsEnvironment(), "--from-beginning", "--count", "10");

        assertThat(lines).hasSize(10).allSatisfy(line -> assertThat(
                Json.exactDecimals().readTree(line).at("/event/transaction").asText()).isEqualTo("paired"));
    }

    private Map<String, String> transactionsEnvironment() {
        Map<String, String> env = toolEnvironment();
        env.put("DNSTAP_TRANSACTIONS", "true");
        return env;
    }

    private static ShipperConfig transactions(ShipperConfig config) {
        return config.toBuilder().transactions(new PairingSettings(true, Duration.ofSeconds(60), 10_000)).build();
    }

    private static int pending(Shipper shipper) throws Exception {
        return Json.exactDecimals().readTree(ShipperHarness.get(shipper, "/stats").body()).at("/transactions/pending").asInt();
    }

    /** Each event's transaction: client port, DNS id and question. */
    private static Set<String> transactionsOf(List<JsonNode> events) {
        Set<String> transactions = new HashSet<>();
        for (JsonNode event : events) {
            transactions.add(event.at("/event/src_port").asText() + " " + event.at("/event/transaction_id").asText() + " "
                    + event.at("/event/query").asText() + " " + event.at("/event/query_type").asText());
        }
        return transactions;
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }
}
