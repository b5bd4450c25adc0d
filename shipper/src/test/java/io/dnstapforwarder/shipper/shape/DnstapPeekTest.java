package io.dnstapforwarder.shipper.shape;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.net.IpAddresses;
import io.dnstapforwarder.testkit.HostileFrames;
import io.dnstapforwarder.testkit.ReferenceDecode;
import io.dnstapforwarder.testkit.TestData;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** What shaping and pairing decide on, read from a record's bytes without decoding it, against the reference decode. */
class DnstapPeekTest {

    @Test
    void readsWhatTheReferenceDecoderReadsFromEveryMessageOfTheCapture() throws Exception {
        List<byte[]> frames = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        List<ReferenceDecode.Message> reference = ReferenceDecode.unboundSmall();
        DnstapPeek peek = new DnstapPeek();

        for (int i = 0; i < frames.size(); i++) {
            ReferenceDecode.Message expected = reference.get(i);
            assertThat(peek.read(envelope(frames.get(i)))).isTrue();

            assertThat(Message.Type.forNumber(peek.messageType()).name()).isEqualTo(expected.type());
            assertThat(new String(peek.bytes(), peek.identityStart(), peek.identityLength(), StandardCharsets.UTF_8))
                    .isEqualTo(expected.identity());
            assertThat(IpAddresses.format(Arrays.copyOfRange(peek.bytes(), peek.clientStart(),
                    peek.clientStart() + peek.clientLength()))).isEqualTo(expected.queryAddress());
            Name qname = new Name(new DNSInput(Arrays.copyOfRange(peek.bytes(), peek.qnameStart(), peek.qnameEnd())));
            assertThat(qname.toString()).as("message %d", i).isEqualTo(expected.dns().questionName());
            assertThat(Type.string(peek.qtype())).isEqualTo(expected.dns().questionType());
            assertThat(DClass.string(peek.qclass())).isEqualTo(expected.dns().questionClass());
            assertThat(IpAddresses.format(Arrays.copyOfRange(peek.bytes(), peek.serverStart(),
                    peek.serverStart() + peek.serverLength()))).isEqualTo(expected.responseAddress());
            assertThat(peek.clientPort()).isEqualTo(expected.queryPort());
            assertThat(peek.serverPort()).isEqualTo(expected.responsePort());
            assertThat(peek.dnsId()).isEqualTo(expected.dns().id());
            if (peek.isQuery()) {
                assertThat(peek.rcode()).isEqualTo(-1);
            } else {
                assertThat(Rcode.string(peek.rcode())).isEqualTo(expected.dns().rcode());
            }
        }
    }

    @Test
    void saysWhenARecordIsNoDnstapMessage() {
        DnstapPeek peek = new DnstapPeek();

        assertThat(peek.read(new byte[0])).isFalse();
        assertThat(peek.read("not an envelope".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(peek.read(envelope("not dnstap".getBytes(StandardCharsets.US_ASCII)))).isFalse();
        assertThat(peek.messageType()).isZero();
    }

    @Test
    void leavesTheQuestionUnreadWhenTheDnsMessageIsCutShort() {
        byte[] cut = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setMessage(Message.newBuilder()
                .setType(Message.Type.CLIENT_QUERY).setQueryMessage(ByteString.copyFrom(new byte[] {0, 1, 1, 0, 0, 1, 0, 0,
                    0, 0, 0, 0, 3, 'w', 'w'}))).build().toByteArray();
        DnstapPeek peek = new DnstapPeek();

        assertThat(peek.read(envelope(cut))).isTrue();
        assertThat(peek.qnameStart()).isEqualTo(-1);
        assertThat(peek.qtype()).isEqualTo(-1);
    }

    @Property(tries = 3000)
    void neverThrowsAndNeverPointsOutsideTheRecord(@ForAll("records") byte[] record) {
        DnstapPeek peek = new DnstapPeek();

        if (peek.read(record)) {
            assertThat(peek.identityStart() + Math.max(0, peek.identityLength())).isLessThanOrEqualTo(record.length);
            assertThat(peek.clientStart() + Math.max(0, peek.clientLength())).isLessThanOrEqualTo(record.length);
            assertThat(peek.serverStart() + Math.max(0, peek.serverLength())).isLessThanOrEqualTo(record.length);
            assertThat(peek.qnameEnd()).isLessThanOrEqualTo(record.length);
        }
        // The key is read from the same fields: never an exception either, whatever the record.
        TransactionKey key = TransactionKey.of(peek);
        if (key != null) {
            assertThat(key.partitionKey()).hasSize(8);
        }
    }

    @Provide
    Arbitrary<byte[]> records() throws Exception {
        List<byte[]> frames = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
        List<byte[]> hostile = HostileFrames.read();
        Arbitrary<byte[]> mutated = Arbitraries.of(frames).flatMap(frame -> Arbitraries.integers().between(0, 400)
                .flatMap(at -> Arbitraries.bytes().map(value -> {
                    byte[] record = envelope(frame);
                    record[at % record.length] = value;
                    return record;
                })));
        Arbitrary<byte[]> truncated = Arbitraries.of(frames).flatMap(frame -> Arbitraries.integers().between(0, 400)
                .map(length -> {
                    byte[] record = envelope(frame);
                    return Arrays.copyOf(record, Math.min(length, record.length));
                }));
        return Arbitraries.oneOf(mutated, truncated, Arbitraries.of(hostile).map(DnstapPeekTest::envelope),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200));
    }

    static byte[] envelope(byte[] frame) {
        return DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frame)).setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE)
                .setCollectorId("c").setConnectionId(1).setReceivedAtNs(1).build().toByteArray();
    }
}
