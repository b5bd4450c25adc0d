package io.dnstapforwarder.collector.listen;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.TestData;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The dnstap identity a frame claims, read without decoding the message, against a certificate's names. */
class SenderIdentityTest {

    private final SenderIdentity unboundTest = SenderIdentity.of(Set.of("resolver-1", "unbound-test"));

    @Test
    void acceptsEveryFrameOfTheUnboundCaptureForACertificateNamingItsIdentity() throws Exception {
        List<byte[]> capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL),
                DnstapEvents.DNSTAP_CONTENT_TYPE);

        assertThat(capture).allSatisfy(frame -> assertThat(unboundTest.mismatch(ByteBuffer.wrap(frame))).isNull());
        assertThat(capture).allSatisfy(frame -> assertThat(SenderIdentity.of(Set.of("resolver-2"))
                .mismatch(ByteBuffer.wrap(frame))).isEqualTo("the frame's dnstap identity \"unbound-test\" is not a "
                        + "name of the certificate [resolver-2]"));
    }

    @Test
    void findsTheIdentityWhereverTheSenderPutsItAndLeavesTheFrameUnmoved() {
        byte[] identityLast = concat(Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).setVersion(
                ByteString.copyFromUtf8("x")).build().toByteArray(),
                Dnstap.newBuilder().setIdentity(ByteString.copyFromUtf8("unbound-test"))
                        .buildPartial().toByteArray());
        ByteBuffer frame = ByteBuffer.wrap(identityLast);

        assertThat(unboundTest.mismatch(frame)).isNull();
        assertThat(frame.position()).isZero();
    }

    @Test
    void refusesAFrameThatRepeatsItsIdentityToClaimAnotherServersName() {
        byte[] own = Dnstap.newBuilder().setIdentity(ByteString.copyFromUtf8("unbound-test")).setType(Dnstap.Type.MESSAGE)
                .build().toByteArray();
        byte[] victim = Dnstap.newBuilder().setIdentity(ByteString.copyFromUtf8("victim")).buildPartial().toByteArray();

        // A protobuf parser keeps the last identity: the shipper would have rendered this as host "victim".
        assertThat(unboundTest.mismatch(ByteBuffer.wrap(concat(own, victim)))).isEqualTo(
                "the frame's dnstap identity \"victim\" is not a name of the certificate [resolver-1, unbound-test]");
        assertThat(unboundTest.mismatch(ByteBuffer.wrap(concat(victim, own)))).isEqualTo(
                "the frame's dnstap identity \"victim\" is not a name of the certificate [resolver-1, unbound-test]");
        assertThat(unboundTest.mismatch(ByteBuffer.wrap(concat(own, own)))).isNull();
    }

    @Test
    void refusesAFrameWithoutIdentityOrThatIsNoDnstap() {
        byte[] anonymous = Dnstap.newBuilder().setType(Dnstap.Type.MESSAGE).build().toByteArray();

        assertThat(unboundTest.mismatch(ByteBuffer.wrap(anonymous))).startsWith("the frame has no dnstap identity");
        assertThat(unboundTest.mismatch(ByteBuffer.wrap(new byte[] {0x0a, 0x7f, 1})))
                .isEqualTo("the frame is not a dnstap message, so its identity cannot be checked");
    }

    @Property(tries = 2000)
    void anyBytesGetAnAnswerAndNeverAnException(@ForAll("frames") byte[] frame) {
        String mismatch = unboundTest.mismatch(ByteBuffer.wrap(frame));

        assertThat(mismatch == null || !mismatch.isEmpty()).isTrue();
    }

    @Provide
    Arbitrary<byte[]> frames() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> mutated = Arbitraries.integers().between(0, 40).flatMap(at -> Arbitraries.bytes()
                .map(value -> {
                    byte[] frame = Dnstap.newBuilder().setIdentity(ByteString.copyFromUtf8(
                            "unbound-test")).setType(Dnstap.Type.MESSAGE).build().toByteArray();
                    frame[at % frame.length] = value;
                    return frame;
                }));
        return Arbitraries.oneOf(random, mutated);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
