package io.dnstapforwarder.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DnstapEventEncoderTest {

    private final DnstapEventEncoder encoder = new DnstapEventEncoder(DnstapEvent.newBuilder()
            .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE)
            .setCollectorId("collector-1")
            .setConnectionId(42)
            .setTransport(Transport.TCP)
            .setPeerAddress("2001:db8::7")
            .setPeerPort(53_124)
            .build());

    @Test
    void encodesWhatTheGeneratedParserReadsBack() throws Exception {
        byte[] frame = new byte[300];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) i;
        }

        DnstapEvent event = DnstapEvent.parseFrom(encoder.encode(ByteBuffer.wrap(frame), 1_764_430_064_986_965_123L));

        assertThat(event).isEqualTo(DnstapEvent.newBuilder()
                .setFrame(ByteString.copyFrom(frame))
                .setContentType("protobuf:dnstap.Dnstap")
                .setCollectorId("collector-1")
                .setConnectionId(42)
                .setTransport(Transport.TCP)
                .setPeerAddress("2001:db8::7")
                .setPeerPort(53_124)
                .setReceivedAtNs(1_764_430_064_986_965_123L)
                .build());
    }

    @Test
    void encodesOnlyTheBytesBetweenPositionAndLimitAndLeavesTheBufferAlone() throws Exception {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 9});
        buffer.position(1).limit(4);

        DnstapEvent event = DnstapEvent.parseFrom(encoder.encode(buffer, 7));

        assertThat(event.getFrame().toByteArray()).containsExactly(1, 2, 3);
        assertThat(buffer.position()).isEqualTo(1);
        assertThat(buffer.limit()).isEqualTo(4);
    }

    @Test
    void namesTheSchemaByItsProtobufName() {
        assertThat(DnstapEvents.SCHEMA).isEqualTo("dnstapforwarder.v1.DnstapEvent");
    }
}
