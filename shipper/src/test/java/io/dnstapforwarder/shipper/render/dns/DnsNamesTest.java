package io.dnstapforwarder.shipper.render.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;

class DnsNamesTest {

    @Test
    void presentsNamesAsDigDoesWithoutTheFinalDot() throws Exception {
        assertThat(DnsNames.present(Name.root)).isEqualTo(".");
        assertThat(DnsNames.present(Name.fromString("www.Example.COM."))).isEqualTo("www.Example.COM");
        assertThat(DnsNames.present(wire(new byte[] {'a', '.', 'b'}, new byte[] {' ', '\\', 0, (byte) 0xff})))
                .isEqualTo("a\\.b.\\032\\\\\\000\\255");
    }

    /** dnsjava's own presentation is the reference: any bytes in any labels give the same text. */
    @Test
    void writesTheSameTextAsDnsjavaForArbitraryLabels() throws Exception {
        Random random = new Random(20261129);
        char[] buffer = new char[DnsNames.MAX_CHARS];
        for (int n = 0; n < 20_000; n++) {
            byte[][] labels = new byte[random.nextInt(5)][];
            int room = 254;
            for (int i = 0; i < labels.length; i++) {
                labels[i] = new byte[Math.min(random.nextInt(63) + 1, Math.max(1, room - 1))];
                room -= labels[i].length + 1;
                if (room < 2) {
                    labels = java.util.Arrays.copyOf(labels, i + 1);
                    break;
                }
                for (int b = 0; b < labels[i].length; b++) {
                    // Mostly printable ASCII, as real names are, with every other byte value in the mix.
                    labels[i][b] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 0x21 + random.nextInt(0x5e));
                }
            }
            Name name = wire(labels);

            assertThat(new String(buffer, 0, DnsNames.write(name, buffer))).isEqualTo(name.toString(true));
        }
    }

    @Test
    void theLongestNameFitsTheBuffer() throws Exception {
        byte[][] labels = new byte[4][];
        for (int i = 0; i < 4; i++) {
            labels[i] = new byte[i < 3 ? 63 : 61]; // 4 + 63 * 3 + 61 + 1 = 255 bytes, all \000
        }
        Name name = wire(labels);
        char[] buffer = new char[DnsNames.MAX_CHARS];

        assertThat(DnsNames.write(name, buffer)).isEqualTo(name.toString(true).length());
    }

    private static Name wire(byte[]... labels) throws Exception {
        DNSOutput out = new DNSOutput();
        for (byte[] label : labels) {
            out.writeU8(label.length);
            out.writeByteArray(label);
        }
        out.writeU8(0);
        return new Name(out.toByteArray());
    }
}
