package io.dnstapforwarder.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.testkit.TransactionFrames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A query and its response have one key, read from the record's bytes; any other message has another. */
class TransactionKeyTest {

    private final DnstapPeek peek = new DnstapPeek();

    @Test
    void everyQueryOfTheUnboundCaptureHasTheKeyOfItsResponseAndNoOther() throws Exception {
        List<byte[]> frames = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        Map<TransactionKey, List<Message.Type>> byKey = new HashMap<>();
        Map<TransactionKey, String> partitionKeys = new HashMap<>();

        for (byte[] frame : frames) {
            assertThat(peek.read(TransactionFrames.envelope(frame))).isTrue();
            TransactionKey key = TransactionKey.of(peek);
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(Message.Type.forNumber(peek.messageType()));
            String partitionKey = java.util.HexFormat.of().formatHex(key.partitionKey());
            assertThat(partitionKeys.putIfAbsent(key, partitionKey)).isIn(null, partitionKey);
        }

        assertThat(byKey).hasSize(326).allSatisfy((key, types) ->
                assertThat(types).containsExactly(Message.Type.CLIENT_QUERY, Message.Type.CLIENT_RESPONSE));
        assertThat(partitionKeys.values()).doesNotHaveDuplicates();
    }

    @Test
    void comparesTheQuestionNameWithoutRegardToTheCaseOfItsLetters() {
        // A resolver that randomizes the case of its questions (0x20) gets them back as sent, but
        // a server may also answer in another case: it is the same question.
        assertThat(key(Message.Type.RESOLVER_QUERY, "WwW.ExAmple.COM", 1))
                .isEqualTo(key(Message.Type.RESOLVER_RESPONSE, "www.example.com", 1));
    }

    @Test
    void tellsApartWhatIsAnotherTransaction() {
        TransactionKey query = key(Message.Type.CLIENT_QUERY, "www.example.com", 1);

        assertThat(key(Message.Type.CLIENT_RESPONSE, "www.example.com", 1)).isEqualTo(query);
        assertThat(key(Message.Type.CLIENT_RESPONSE, "www.example.org", 1)).as("another question").isNotEqualTo(query);
        assertThat(key(Message.Type.CLIENT_RESPONSE, "www.example.com", 28)).as("another type").isNotEqualTo(query);
        assertThat(key(Message.Type.RESOLVER_RESPONSE, "www.example.com", 1)).as("another family").isNotEqualTo(query);
        assertThat(key(Message.Type.AUTH_RESPONSE, "www.example.com", 1)).as("AUTH is CLIENT's family").isEqualTo(query);
        assertThat(key(Message.Type.CLIENT_RESPONSE, "www.example.com", 1, 0x1235, 53000, "ns1"))
                .as("another id").isNotEqualTo(query);
        assertThat(key(Message.Type.CLIENT_RESPONSE, "www.example.com", 1, 0x1234, 53001, "ns1"))
                .as("another client port").isNotEqualTo(query);
        assertThat(key(Message.Type.CLIENT_RESPONSE, "www.example.com", 1, 0x1234, 53000, "ns2"))
                .as("another server").isNotEqualTo(query);
    }

    @Test
    void givesNoKeyToWhatIsNoHalfOfATransaction() {
        assertThat(peek.read(TransactionFrames.envelope("not dnstap".getBytes(StandardCharsets.US_ASCII)))).isFalse();
        assertThat(TransactionKey.of(peek)).isNull();

        byte[] withoutDnsMessage = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setMessage(Message.newBuilder()
                .setType(Message.Type.CLIENT_QUERY).setQueryPort(53000)).build().toByteArray();
        assertThat(peek.read(TransactionFrames.envelope(withoutDnsMessage))).isTrue();
        assertThat(TransactionKey.of(peek)).isNull();
    }

    private TransactionKey key(Message.Type type, String name, int qtype) {
        return key(type, name, qtype, 0x1234, 53000, "ns1");
    }

    private TransactionKey key(Message.Type type, String name, int qtype, int id, int clientPort, String identity) {
        assertThat(peek.read(TransactionFrames.half(type, identity, clientPort, id, name, qtype))).isTrue();
        return TransactionKey.of(peek);
    }
}
