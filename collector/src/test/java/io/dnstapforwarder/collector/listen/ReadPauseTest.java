package io.dnstapforwarder.collector.listen;

import static io.dnstapforwarder.collector.listen.ReadPacing.BYTES_PER_WAKE_UP;
import static io.dnstapforwarder.collector.listen.ReadPacing.pauseNanos;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** How long a reader waits between reads so that each takes several frames, but never lets a socket fill. */
class ReadPauseTest {

    private static final long MAX = TimeUnit.MILLISECONDS.toNanos(50);

    @Test
    void aTrickleWaitsTheLongestPause() {
        // 5 frames of 130 bytes in 20 ms: 250 frames a second on this connection.
        assertThat(pauseNanos(650, TimeUnit.MILLISECONDS.toNanos(20), MAX)).isEqualTo(MAX);
    }

    @Test
    void aStreamWaitsForAboutEightKibibytes() {
        // 2,600 bytes in 10 ms: 260 KB/s, so 8 KiB take about 31.5 ms.
        long pause = pauseNanos(2_600, TimeUnit.MILLISECONDS.toNanos(10), MAX);
        assertThat(pause).isBetween(TimeUnit.MICROSECONDS.toNanos(31_400), TimeUnit.MICROSECONDS.toNanos(31_600));
    }

    @Test
    void fullSpeedNeverWaits() {
        // 64 KiB in 200 µs: 8 KiB arrive in 25 µs, not worth a wake-up.
        assertThat(pauseNanos(65_536, TimeUnit.MICROSECONDS.toNanos(200), MAX)).isZero();
    }

    @Test
    void nothingReadOrNoPauseAllowedOrNoTimePassedNeverWaits() {
        assertThat(pauseNanos(0, MAX, MAX)).isZero();
        assertThat(pauseNanos(650, TimeUnit.MILLISECONDS.toNanos(20), 0)).isZero();
        assertThat(pauseNanos(650, 0, MAX)).isZero(); // a clock that stands still, as in tests
    }

    /** At the rate just seen, what arrives during a pause stays near 8 KiB: far below a Unix socket's 36 KiB. */
    @Property
    void whatArrivesDuringAPauseAtTheSameRateIsAboutEightKibibytes(@ForAll @LongRange(min = 1, max = 1 << 20) long bytes,
            @ForAll @LongRange(min = 1, max = 10_000_000_000L) long listened) {
        long pause = pauseNanos(bytes, listened, MAX);

        assertThat(pause).isBetween(0L, MAX);
        double arriving = (double) bytes / listened * pause;
        assertThat(arriving).isLessThanOrEqualTo(BYTES_PER_WAKE_UP + 1.0);
    }
}
