package io.dnstapforwarder.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesTheCeilingPerFailureUpToTheMaximum() {
        Backoff highest = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.999_999);

        assertThat(highest.delay(1, null)).isEqualTo(Duration.ofMillis(99));
        assertThat(highest.delay(2, null)).isEqualTo(Duration.ofMillis(199));
        assertThat(highest.delay(4, null)).isEqualTo(Duration.ofMillis(799));
        assertThat(highest.delay(10, null)).isEqualTo(Duration.ofMillis(4999));
        assertThat(highest.delay(1000, null)).isEqualTo(Duration.ofMillis(4999));
    }

    @Test
    void jittersAcrossTheWholeRange() {
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.0).delay(3, null)).isZero();
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.5).delay(3, null))
                .isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void waitsAtLeastWhatTheServerAskedFor() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.5);

        assertThat(backoff.delay(1, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.delay(8, Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void withoutJitterWaitsTheCeilingItself() {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));

        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delay(6)).isEqualTo(Duration.ofSeconds(2));
    }
}
