package io.dnstapforwarder.shipper.shape;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.event.DnstapIdentities;
import io.dnstapforwarder.event.DnstapPeek;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * One reading of a frame: the collector's identity check ({@link DnstapIdentities}), the shaping
 * peek ({@link DnstapPeek}) and the renderer (protobuf-java's parser) see the same identity,
 * message type and client address in any frame, however its fields are repeated, interleaved or
 * mistyped. A frame that repeats {@code identity} is the case that matters: the collector vouches
 * for one, the renderer makes Splunk's {@code host} of one, and they must be the same one.
 */
class FrameReadingsAgreeProperties {

    private static final List<String> IDENTITIES = List.of("ns1", "victim", "", "unbound-test");

    @Property(tries = 3000)
    void theCollectorThePeekAndTheRendererReadTheSameIdentityTypeAndClient(@ForAll("frames") byte[] frame)
            throws IOException {
        Dnstap parsed;
        try {
            parsed = Dnstap.parser().parsePartialFrom(frame);
        } catch (InvalidProtocolBufferException e) {
            return; // the renderer dead-letters it: no identity of it reaches Splunk
        }
        ByteString rendered = parsed.hasIdentity() ? parsed.getIdentity() : null;

        assertThat(DnstapIdentities.effective(ByteBuffer.wrap(frame))).isEqualTo(rendered);
        DnstapPeek peek = new DnstapPeek();
        if (peek.read(DnstapPeekTest.envelope(frame))) {
            ByteString peeked = peek.identityStart() < 0 ? null
                    : ByteString.copyFrom(peek.bytes(), peek.identityStart(), peek.identityLength());
            assertThat(peeked).isEqualTo(rendered);
            io.dnstapforwarder.dnstap.Message message = parsed.getMessage();
            if (message.hasType()) {
                assertThat(peek.messageType()).isEqualTo(message.getType().getNumber());
            }
            if (message.hasQueryAddress() && (message.getQueryAddress().size() == 4
                    || message.getQueryAddress().size() == 16)) {
                assertThat(Arrays.copyOfRange(peek.bytes(), peek.clientStart(), peek.clientStart() + peek.clientLength()))
                        .isEqualTo(message.getQueryAddress().toByteArray());
            }
        }
    }

    @Provide
    Arbitrary<byte[]> frames() {
        Arbitrary<byte[]> field = Arbitraries.oneOf(
                Arbitraries.of(IDENTITIES).map(identity -> bytesField(1, identity.getBytes())),
                Arbitraries.integers().between(0, 300).map(value -> varintField(1, value)), // identity, mistyped
                Arbitraries.just(bytesField(2, "unbound 1.17.1".getBytes())),
                Arbitraries.just(varintField(15, 1)), // type MESSAGE
                message().map(message -> bytesField(14, message)),
                Arbitraries.integers().between(16, 40).flatMap(number -> Arbitraries.bytes().array(byte[].class)
                        .ofMaxSize(8).map(value -> bytesField(number, value))),
                Arbitraries.integers().between(16, 40).map(number -> varintField(number, 7)));
        Arbitrary<byte[]> wellFormed = field.list().ofMinSize(1).ofMaxSize(8).map(FrameReadingsAgreeProperties::concat);
        Arbitrary<byte[]> mutated = Combinators.combine(wellFormed, Arbitraries.integers().between(0, 500),
                Arbitraries.bytes()).as((frame, at, value) -> {
                    byte[] copy = frame.clone();
                    copy[at % copy.length] = value;
                    return copy;
                });
        return Arbitraries.oneOf(wellFormed, wellFormed, mutated);
    }

    /** A dnstap {@code Message}: its fields repeated and interleaved as well. */
    private static Arbitrary<byte[]> message() {
        Arbitrary<byte[]> field = Arbitraries.oneOf(
                Arbitraries.integers().between(1, 14).map(type -> varintField(1, type)),
                Arbitraries.of(new byte[] {127, 0, 0, 1}, new byte[] {10, 9, 8, 7}, new byte[16], new byte[5])
                        .map(address -> bytesField(4, address)),
                Arbitraries.just(varintField(2, 1)),
                Arbitraries.bytes().array(byte[].class).ofMinSize(12).ofMaxSize(40).map(dns -> bytesField(10, dns)),
                Arbitraries.bytes().array(byte[].class).ofMinSize(12).ofMaxSize(40).map(dns -> bytesField(14, dns)));
        return field.list().ofMinSize(0).ofMaxSize(6).map(FrameReadingsAgreeProperties::concat);
    }

    private static byte[] bytesField(int number, byte[] value) {
        return write(out -> out.writeByteArray(number, value));
    }

    private static byte[] varintField(int number, int value) {
        return write(out -> out.writeUInt32(number, value));
    }

    private interface Writing {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] write(Writing writing) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            writing.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        parts.forEach(all::writeBytes);
        return all.toByteArray();
    }
}
