package io.dnstapforwarder.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressesTest {

    @ParameterizedTest
    @CsvSource({
        "192.0.2.1, 192.0.2.1",
        "0.0.0.0, 0.0.0.0",
        "::1, ::1",
        "::, ::",
        "2001:db8::1, 2001:db8::1",
        "2001:0db8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:db8::, 2001:db8::",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "fe80::ABCD, fe80::abcd",
        "::ffff:c000:201, ::ffff:c000:201"})
    void printsAddressesAsRfc5952AndDnsToolsDo(String input, String expected) throws Exception {
        byte[] bytes = InetAddress.getByName(input).getAddress();
        if (input.startsWith("::ffff:")) {
            bytes = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xc0, 0, 2, 1};
        }

        assertThat(IpAddresses.format(bytes)).isEqualTo(expected);
    }
}
