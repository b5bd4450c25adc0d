package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EpochTimeTest {

    @Test
    void writesSecondsWithSixDecimalsTruncatingNanoseconds() {
        assertThat(EpochTime.seconds(1_795_964_864L, 986_965_999)).isEqualTo("1795964864.986965");
        assertThat(EpochTime.seconds(1_795_964_864L, 5_000)).isEqualTo("1795964864.000005");
        assertThat(EpochTime.seconds(0, 0)).isEqualTo("0.000000");
        assertThat(EpochTime.seconds(Long.MAX_VALUE, 999_999_999)).isEqualTo("9223372036854775807.999999");
    }

    @Test
    void writesAnySecondsWithoutFailingEvenThoseNoClockGives() {
        assertThat(EpochTime.seconds(Long.MIN_VALUE, 0)).isEqualTo("-9223372036854775808.000000");
        assertThat(EpochTime.seconds(-1, 999_999_999)).isEqualTo("-1.999999");
        assertThat(EpochTime.seconds(0, 4_294_967_295L)).isEqualTo("0.294967");
    }

    @Test
    void writesADurationGivenInNanoseconds() {
        char[] buffer = new char[EpochTime.MAX_CHARS];

        int length = EpochTime.write(250_000_500L, buffer);

        assertThat(new String(buffer, 0, length)).isEqualTo("0.250000");
    }

    @Test
    void formatsReceiptTimesWithMicrosecondsAcrossSecondBoundaries() {
        ReceiptTime time = new ReceiptTime();

        assertThat(time.format(1_795_964_900_123_456_789L)).isEqualTo("2026-11-29T15:08:20.123456Z");
        assertThat(time.format(1_795_964_900_000_001_000L)).isEqualTo("2026-11-29T15:08:20.000001Z");
        assertThat(time.format(1_795_964_901_000_000_000L)).isEqualTo("2026-11-29T15:08:21.000000Z");
    }
}
