package io.dnstapforwarder.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class NetworkTest {

    @Test
    void holdsTheAddressesOfItsPrefixAndNoOthers() throws Exception {
        Network lan = Network.parse("--allow-from", "10.0.53.0/24");

        assertThat(lan.contains(InetAddress.getByName("10.0.53.1"))).isTrue();
        assertThat(lan.contains(InetAddress.getByName("10.0.53.255"))).isTrue();
        assertThat(lan.contains(InetAddress.getByName("10.0.54.1"))).isFalse();
        assertThat(lan.contains(InetAddress.getByName("::ffff:10.0.53.1"))).as("mapped: IPv4 to the JDK").isTrue();
        assertThat(lan.contains(InetAddress.getByName("2001:db8::1"))).isFalse();
    }

    @Test
    void takesPrefixesThatEndInsideAByteOneAddressAndEverything() throws Exception {
        assertThat(Network.parse("--allow-from", "192.168.0.0/17").contains(InetAddress.getByName("192.168.127.9"))).isTrue();
        assertThat(Network.parse("--allow-from", "192.168.0.0/17").contains(InetAddress.getByName("192.168.128.9"))).isFalse();
        assertThat(Network.parse("--allow-from", "127.0.0.1").contains(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(Network.parse("--allow-from", "127.0.0.1").contains(InetAddress.getByName("127.0.0.2"))).isFalse();
        assertThat(Network.parse("--allow-from", "0.0.0.0/0").contains(InetAddress.getByName("203.0.113.7"))).isTrue();
        assertThat(Network.parse("--allow-from", "2001:db8::/32").contains(InetAddress.getByName("2001:db8:1::53"))).isTrue();
        assertThat(Network.parse("--allow-from", "2001:db8::/32").contains(InetAddress.getByName("2001:db9::53"))).isFalse();
    }

    @Test
    void refusesWhatIsNoNetworkNamingTheOptionAndNeverLooksNamesUp() {
        for (String bad : new String[] {"resolver.example", "10.0.0.0/33", "10.0.0.0/x", "::1/129", "", "10.0.0.0/-1"}) {
            assertThatThrownBy(() -> Network.parse("--allow-from", bad)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--allow-from (DNSTAP_ALLOW_FROM)");
        }
    }
}
