package io.dnstapforwarder.shipper.hec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Pins Splunk's HEC codes: their numbers, their wording, and what each means for us. */
class HecCodeTest {

    @Test
    void numbersTheCodesAsSplunkDoes() {
        assertThat(Arrays.stream(HecCode.values()).mapToInt(HecCode::code)).containsExactly(
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
        assertThat(HecCode.of(9).text()).isEqualTo("Server is busy");
        assertThat(HecCode.of(12).text()).isEqualTo("Event field is required");
        assertThat(HecCode.of(99)).isNull();
    }

    @Test
    void deadLettersOnlyDataErrors() {
        assertThat(Arrays.stream(HecCode.values()).filter(c -> c.kind() == HecCode.Kind.DATA).mapToInt(HecCode::code))
                .containsExactly(5, 6, 12, 13, 15);
        assertThat(Arrays.stream(HecCode.values()).filter(c -> c.kind() == HecCode.Kind.CONFIGURATION).mapToInt(HecCode::code))
                .containsExactly(1, 2, 3, 4, 7, 10, 11, 14, 16);
        assertThat(Arrays.stream(HecCode.values()).filter(c -> c.kind() == HecCode.Kind.TRANSIENT).mapToInt(HecCode::code))
                .containsExactly(8, 9, 18, 19, 20);
    }
}
