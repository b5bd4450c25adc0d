package io.dnstapforwarder.shipper.render.dns;

/** Big-endian numbers in a DNS message. */
final class WireBytes {

    private WireBytes() {
    }

    static int u16(byte[] wire, int at) {
        return (wire[at] & 0xFF) << 8 | wire[at + 1] & 0xFF;
    }

    static long u32(byte[] wire, int at) {
        return (long) u16(wire, at) << 16 | u16(wire, at + 2);
    }
}
