package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.shipper.pair.Transaction;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.shipper.pair.TransactionPairer;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TransactionFrames;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * One event per DNS transaction, on Unbound's real traffic: every query of the capture paired with
 * its response by the keys the collector and shipper read, and each pair rendered as the response's
 * event with the query's time, the duration between them and both sizes.
 */
class TransactionRenderingTest {

    private final ObjectMapper json = io.dnstapforwarder.testkit.Json.exactDecimals();
    private final HecEventRenderer full = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null));

    @Test
    void pairsEveryQueryOfTheUnboundCaptureAndRendersEachTransactionAsOneEvent() throws Exception {
        List<Transaction<DnstapEvent>> transactions = pairCapture();
        assertThat(transactions).hasSize(326).allMatch(transaction -> transaction.kind() == TransactionKind.PAIRED);

        for (Transaction<DnstapEvent> transaction : transactions) {
            JsonNode query = render(full.render(transaction.query()));
            JsonNode response = render(full.render(transaction.response()));
            JsonNode paired = render(full.render(TransactionKind.PAIRED, transaction.query(), transaction.response(),
                    EventProfile.FULL, 1, null));
            JsonNode event = paired.get("event");

            assertThat(event.get("transaction").asText()).isEqualTo("paired");
            assertThat(event.get("message_type")).extracting(JsonNode::asText).containsExactly("Query", "Response");
            assertThat(paired.get("time").decimalValue()).as("the query's time").isEqualTo(query.get("time").decimalValue());
            BigDecimal took = response.get("time").decimalValue().subtract(query.get("time").decimalValue());
            assertThat(event.get("duration").decimalValue()).isEqualByComparingTo(took);
            assertThat(event.get("response_time").decimalValue()).isEqualByComparingTo(took);
            assertThat(event.get("query_size").asInt()).isEqualTo(query.at("/event/message_size").asInt());
            assertThat(event.get("response_size").asInt()).isEqualTo(response.at("/event/message_size").asInt());
            for (String field : List.of("reply_code", "answer", "query", "query_type", "src", "src_port", "dest")) {
                assertThat(paired.at("/event/" + field)).as(field).isEqualTo(response.at("/event/" + field));
            }
            assertThat(event.get("query_timestamp")).isEqualTo(query.at("/event/query_timestamp"));
            assertThat(event.get("response_timestamp")).isEqualTo(response.at("/event/response_timestamp"));
        }
    }

    @Test
    void aCompactTransactionKeepsItsDurationAndStaysAboutTheSizeOfItsResponse() throws Exception {
        HecEventRenderer compact = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null, EventProfile.COMPACT));
        long pairedBytes = 0;
        long responseBytes = 0;
        for (Transaction<DnstapEvent> transaction : pairCapture()) {
            byte[] paired = compact.render(TransactionKind.PAIRED, transaction.query(), transaction.response(),
                    EventProfile.COMPACT, 1, null);
            JsonNode event = render(paired).get("event");
            assertThat(event.get("transaction").asText()).isEqualTo("paired");
            assertThat(event.get("duration").decimalValue()).isNotNegative();
            assertThat(event.has("response_time")).as("CIM's copy is not for compact").isFalse();
            pairedBytes += paired.length;
            responseBytes += compact.render(transaction.response()).length;
        }
        // One compact transaction instead of a query and a response: a few fields more than the response alone.
        assertThat((double) pairedBytes / responseBytes).isLessThan(1.25);
    }

    @Test
    void aQueryOrAResponseAloneIsItsOwnEventSayingSo() throws Exception {
        Transaction<DnstapEvent> transaction = pairCapture().get(0);

        JsonNode unanswered = render(full.render(TransactionKind.UNANSWERED, transaction.query(), null, EventProfile.FULL,
                1, null));
        JsonNode query = render(full.render(transaction.query()));
        assertThat(unanswered.at("/event/transaction").asText()).isEqualTo("unanswered");
        ((com.fasterxml.jackson.databind.node.ObjectNode) unanswered.get("event")).remove("transaction");
        assertThat(unanswered).isEqualTo(query);

        JsonNode alone = render(full.render(TransactionKind.RESPONSE_ONLY, null, transaction.response(), EventProfile.FULL,
                1, null));
        assertThat(alone.at("/event/transaction").asText()).isEqualTo("response_only");
        assertThat(alone.at("/event/message_type").asText()).isEqualTo("Response");
        assertThat(alone.at("/event/duration").isMissingNode()).as("Unbound's responses carry no query time").isTrue();
    }

    @Test
    void aResponseTimedBeforeItsQueryGetsNoDurationButSaysWhy() throws Exception {
        DnstapEvent query = timed(Message.Type.CLIENT_QUERY, 1_795_964_900L, 500_000_000);
        DnstapEvent response = timed(Message.Type.CLIENT_RESPONSE, 1_795_964_900L, 100_000_000);

        JsonNode event = render(full.render(TransactionKind.PAIRED, query, response, EventProfile.FULL, 1, null));

        assertThat(event.at("/event/duration").isMissingNode()).isTrue();
        assertThat(event.at("/event/duration_error").asText()).isEqualTo("the response is timed before its query");
        assertThat(event.get("time").decimalValue()).isEqualByComparingTo("1795964900.5");
    }

    @Test
    void aHalfWhosePartnerCouldNotBeRenderedSaysSo() throws Exception {
        Transaction<DnstapEvent> transaction = pairCapture().get(0);

        JsonNode event = render(full.render(TransactionKind.PAIRED, transaction.query(), null, EventProfile.FULL, 1,
                "its response could not be rendered"));

        assertThat(event.at("/event/transaction").asText()).isEqualTo("paired");
        assertThat(event.at("/event/transaction_error").asText()).isEqualTo("its response could not be rendered");
        assertThat(event.at("/event/message_type").asText()).isEqualTo("Query");
    }

    /** A query or response of one DNS id, timed: a query at its query time, a response at its response time. */
    private static DnstapEvent timed(Message.Type type, long seconds, int nanos) throws Exception {
        DnstapEvent envelope = DnstapEvents.parse(TransactionFrames.half(type, "ns1", 53000, 7, "www.example.com", 1));
        Dnstap dnstap = Dnstap.parseFrom(envelope.getFrame());
        Message.Builder message = dnstap.getMessage().toBuilder();
        if (type == Message.Type.CLIENT_QUERY) {
            message.setQueryTimeSec(seconds).setQueryTimeNsec(nanos);
        } else {
            message.setResponseTimeSec(seconds).setResponseTimeNsec(nanos);
        }
        return envelope.toBuilder().setFrame(dnstap.toBuilder().setMessage(message).build().toByteString()).build();
    }

    /** The capture's messages paired as the shipper pairs them: keyed by the peek, in the order Unbound sent them. */
    private static List<Transaction<DnstapEvent>> pairCapture() throws Exception {
        List<byte[]> frames = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        TransactionPairer<DnstapEvent> pairer = new TransactionPairer<>(10_000, 2_000, 10_000);
        TopicPartition partition = new TopicPartition("dnstap", 0);
        List<Transaction<DnstapEvent>> transactions = new ArrayList<>();
        DnstapPeek peek = new DnstapPeek();
        long at = 0;
        for (byte[] frame : frames) {
            DnstapEvent envelope = DnstapEvent.newBuilder().setFrame(com.google.protobuf.ByteString.copyFrom(frame))
                    .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("collector-1").setConnectionId(7)
                    .setTransport(Transport.UNIX).setPeerAddress("/run/dnstap.sock").setReceivedAtNs(1).build();
            assertThat(peek.read(envelope.toByteArray())).isTrue();
            TransactionKey key = TransactionKey.of(peek);
            assertThat(key).isNotNull();
            Transaction<DnstapEvent> paired = pairer.offer(envelope, key, peek.isQuery(), partition, at++, transactions);
            if (paired != null) {
                transactions.add(paired);
            }
        }
        pairer.endAll(transactions);
        return transactions;
    }

    private JsonNode render(byte[] event) throws Exception {
        return json.readTree(event);
    }
}
