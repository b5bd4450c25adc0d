package io.dnstapforwarder.shipper;

import static io.dnstapforwarder.shipper.ShipperHarness.fastHec;
import static io.dnstapforwarder.shipper.ShipperHarness.get;
import static io.dnstapforwarder.shipper.ShipperHarness.ids;
import static io.dnstapforwarder.shipper.ShipperHarness.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Answers only a proxy, a misconfiguration or a struggling HEC gives: none of them may drop an
 * event, dead-letter good data, or count as delivered. Each scripted answer is served to the
 * first requests, then HEC answers as it should; every event must arrive, none go to the
 * dead-letter topic, and every offset be committed.
 */
@Timeout(180)
class HecAnswersTest extends ShipperIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aProxysHtmlSuccessIsNotDelivery() throws Exception {
        deliversEverythingAfter(200, "<html><body>Welcome</body></html>", 3);
    }

    @Test
    void aProxysPlainBadRequestIsNotBadData() throws Exception {
        deliversEverythingAfter(400, "<html><body>400 Bad Request</body></html>", 3);
    }

    @Test
    void anIncorrectIndexWaitsForTheFixInsteadOfFillingTheDeadLetterTopic() throws Exception {
        Shipper shipper = deliversEverythingAfter(400,
                "{\"text\":\"Incorrect index\",\"code\":7,\"invalid-event-number\":0}", 3);
        assertThat(get(shipper, "/metrics").body()).contains("error_type=\"hec_7\"");
    }

    @Test
    void anAnswerThatIsNotJsonAtAllIsRetried() throws Exception {
        deliversEverythingAfter(503, "\u0000\u0001garbage", 3);
    }

    @Test
    void aRequestTooLargeIsSentAgainInSmallerOnes() throws Exception {
        Shipper shipper = deliversEverythingAfter(413, "Request Entity Too Large", 2);
        assertThat(hec.requests().stream().filter(request -> request.status() == 200)).hasSizeGreaterThan(1);
        assertThat(get(shipper, "/metrics").body()).contains("error_type=\"http_413\"");
    }

    private Shipper deliversEverythingAfter(int status, String body, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            hec.enqueue(status, body, Map.of());
        }
        harness.produce(0, 200, 0);
        Shipper shipper = harness.start(fastHec(hec.url(), TOKEN), 200);

        await().atMost(WAIT).until(() -> Set.copyOf(ids(hec.events())).size() == 200);
        assertThat(Set.copyOf(ids(hec.events()))).containsExactlyInAnyOrderElementsOf(range(0, 200));
        await().atMost(WAIT).untilAsserted(() -> assertThat(harness.committed()).isEqualTo(harness.endOffsets()));
        assertThat(deadLetters()).isZero();
        await().atMost(WAIT).untilAsserted(() -> assertThat(get(shipper, "/ready").statusCode()).isEqualTo(200));
        return shipper;
    }

    private long deadLetters() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", io.dnstapforwarder.testkit.TestKafka.bootstrapServers()))) {
            TopicPartition partition = new TopicPartition(harness.deadLetterTopic, 0);
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
        }
    }
}
