package io.dnstapforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class StartedPartsTest {

    private final List<String> stopped = new CopyOnWriteArrayList<>();

    @Test
    void stopsThePartsTheLastStartedFirst() {
        StartedParts parts = new StartedParts("test");
        parts.started("consumer", "c", Duration.ofSeconds(1), () -> stopped.add("consumer"));
        parts.started("producer", "p", Duration.ofSeconds(1), () -> stopped.add("producer"));
        parts.started("ops", "o", Duration.ofSeconds(1), () -> stopped.add("ops"));

        parts.close();

        assertThat(stopped).containsExactly("ops", "producer", "consumer");
        assertThat(parts.late()).isEmpty();
    }

    @Test
    void aPartThatHangsOrFailsHoldsNoneOfTheOthersBackAndIsNamed() {
        CountDownLatch never = new CountDownLatch(1);
        StartedParts parts = new StartedParts("test");
        parts.started("consumer", "c", Duration.ofSeconds(1), () -> stopped.add("consumer"));
        parts.started("dead-letter producer", "p", Duration.ofMillis(200), never::await);
        parts.started("watcher", "w", Duration.ofSeconds(1), () -> {
            throw new IllegalStateException("already closed");
        });

        long start = System.nanoTime();
        parts.close();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(stopped).containsExactly("consumer");
        assertThat(parts.late()).containsExactly("dead-letter producer");
    }
}
