package io.dnstapforwarder.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed corpus is exactly what the generator builds: it cannot drift from its description. */
class HostileFramesTest {

    @Test
    void theFileHoldsTheFramesTheGeneratorBuildsInOrder() {
        List<byte[]> built = HostileFrames.build().stream().map(HostileFrames.Frame::bytes).toList();

        List<byte[]> read = HostileFrames.read();

        assertThat(read).hasSameSizeAs(built);
        for (int i = 0; i < built.size(); i++) {
            assertThat(read.get(i)).as(HostileFrames.build().get(i).name()).isEqualTo(built.get(i));
        }
    }
}
