package io.dnstapforwarder.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.shipper.hec.TokenSource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration records validate themselves, and never show the token in what they say. */
class ShipperConfigTest {

    private static final URI HEC = URI.create("https://splunk.example:8088");

    @TempDir
    Path dir;

    @Test
    void takesATokenWithTheNewlineAKubernetesSecretFileEndsWith() {
        assertThat(HecConfig.to(HEC, "0badc0de-1111-4222-8333-444455556666\n").token())
                .isEqualTo("0badc0de-1111-4222-8333-444455556666");
        assertThat(TokenSource.fixed("  abc\r\n").get()).isEqualTo("abc");
    }

    @Test
    void refusesATokenAHeaderCannotCarrySayingWhereWithoutShowingIt() {
        assertThatThrownBy(() -> HecConfig.to(HEC, "secret-part\u0007rest"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--hec-token (DNSTAP_HEC_TOKEN) has a character an HTTP header cannot carry, at position 12 "
                        + "(the token is not shown)");
    }

    @Test
    void refusesATokenFileAHeaderCannotCarryWithoutShowingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "secret part\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> TokenSource.file(file)).hasMessageEndingWith(
                "has a character an HTTP header cannot carry, at position 7 (the token is not shown)")
                .hasMessageNotContaining("secret");
    }

    @Test
    void validatesTheGuardsNamingTheOption() {
        assertThatThrownBy(() -> new ShipperConfig.Guards(0, Duration.ofMinutes(10)))
                .hasMessage("Invalid value for --dlq-max-percent (DNSTAP_DLQ_MAX_PERCENT): '0' must be a percentage, 1 to 100");
        assertThatThrownBy(() -> new ShipperConfig.Guards(50, Duration.ZERO))
                .hasMessage("Invalid value for --max-unsettled-sec (DNSTAP_MAX_UNSETTLED_SEC): '0' must be at least 1");
    }
}
