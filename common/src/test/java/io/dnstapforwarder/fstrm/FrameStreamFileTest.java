package io.dnstapforwarder.fstrm;

import static io.dnstapforwarder.fstrm.Frames.DNSTAP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.dnstap.Dnstap;
import io.dnstapforwarder.dnstap.Message;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameStreamFileTest {

    private static final Path CAPTURE = Path.of("..", "testdata", "unbound-small.fstrm");

    @Test
    void readsEveryMessageOfAnUnboundCapture() throws Exception {
        List<byte[]> frames = FrameStreamFile.readAll(CAPTURE, DNSTAP);

        assertThat(frames).hasSize(652);
        Dnstap first = Dnstap.parseFrom(frames.get(0));
        assertThat(first.getIdentity().toStringUtf8()).isEqualTo("unbound-test");
        assertThat(first.getVersion().toStringUtf8()).isEqualTo("unbound 1.17.1");
        assertThat(first.getMessage().getType()).isEqualTo(Message.Type.CLIENT_QUERY);
        long queries = frames.stream().filter(f -> type(f) == Message.Type.CLIENT_QUERY).count();
        long responses = frames.stream().filter(f -> type(f) == Message.Type.CLIENT_RESPONSE).count();
        assertThat(queries).isEqualTo(326);
        assertThat(responses).isEqualTo(326);
    }

    @Test
    void saysSoWhenAFileEndsWithoutStop() throws Exception {
        byte[] whole = Files.readAllBytes(CAPTURE);
        byte[] cut = Arrays.copyOf(whole, whole.length - 12);

        assertThatThrownBy(() -> FrameStreamFile.readAll(new ByteArrayInputStream(cut), DNSTAP))
                .isInstanceOf(FrameStreamException.class)
                .hasMessage("file ends without STOP");
    }

    private static Message.Type type(byte[] frame) {
        try {
            return Dnstap.parseFrom(frame).getMessage().getType();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
