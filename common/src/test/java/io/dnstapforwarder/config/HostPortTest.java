package io.dnstapforwarder.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void parsesIpv4AndNames() {
        assertThat(HostPort.parse("127.0.0.1:6000")).isEqualTo(new HostPort("127.0.0.1", 6000));
        assertThat(HostPort.parse("kafka:9092")).isEqualTo(new HostPort("kafka", 9092));
    }

    @Test
    void parsesBracketedIpv6AndPrintsItBack() {
        HostPort address = HostPort.parse("[::1]:6000");

        assertThat(address).isEqualTo(new HostPort("::1", 6000));
        assertThat(address).hasToString("[::1]:6000");
    }

    @Test
    void explainsWhatIsWrong() {
        assertThatThrownBy(() -> HostPort.parse("6000")).hasMessage("expected host:port, e.g. 127.0.0.1:6000 or [::1]:6000");
        assertThatThrownBy(() -> HostPort.parse("::1:6000")).hasMessage("put an IPv6 address in brackets, e.g. [::1]:6000");
        assertThatThrownBy(() -> HostPort.parse("host:http")).hasMessage("port 'http' is not a number");
        assertThatThrownBy(() -> HostPort.parse("host:70000")).hasMessage("port 70000 is outside 0..65535");
    }
}
