package io.dnstapforwarder.shipper.render.dns;

import static io.dnstapforwarder.shipper.render.dns.WireBytes.u16;

import io.dnstapforwarder.net.IpAddresses;
import java.util.Arrays;

/**
 * The EDNS options of the first OPT record of a message read by {@link WireMessage}: checked as
 * dnsjava checks them, and kept (their offsets in the wire) for presenting. Not thread-safe.
 */
final class WireEdns {

    private static final int OPTION_CLIENT_SUBNET = 8;
    private static final int OPTION_COOKIE = 10;
    private static final int OPTION_TCP_KEEPALIVE = 11;
    private static final int OPTION_EXTENDED_ERROR = 15;

    private byte[] wire;
    /** The record index of the first OPT record, or -1. */
    private int record;
    private int options;
    private int[] optionAt = new int[4];

    /** Forgets the last message's options. */
    void reset(byte[] wire) {
        this.wire = wire;
        record = -1;
        options = 0;
    }

    /** The record index of the first OPT record, or -1 when there is none. */
    int record() {
        return record;
    }

    /** OPT data {@code [from, end)}: options (code, length, data) up to the end; the first OPT's are kept. */
    boolean check(int optRecord, int from, int end) {
        boolean keep = record < 0;
        if (keep) {
            record = optRecord;
        }
        int position = from;
        while (position < end) {
            if (position + 4 > end) {
                return false;
            }
            int dataLength = u16(wire, position + 2);
            if (position + 4 + dataLength > end || !checkOption(u16(wire, position), position + 4, dataLength)) {
                return false;
            }
            if (keep) {
                if (options == optionAt.length) {
                    optionAt = Arrays.copyOf(optionAt, options * 2);
                }
                optionAt[options++] = position;
            }
            position += 4 + dataLength;
        }
        return true;
    }

    /** The options dnsjava checks when it decodes them, checked the same way. */
    private boolean checkOption(int code, int from, int dataLength) {
        return switch (code) {
            case OPTION_COOKIE -> dataLength == 8 || dataLength >= 16 && dataLength <= 40;
            case OPTION_TCP_KEEPALIVE -> dataLength == 0 || dataLength == 2;
            case OPTION_CLIENT_SUBNET -> checkClientSubnet(from, dataLength);
            // dnsjava presents its text decoded and encoded again as UTF-8: left to dnsjava.
            case OPTION_EXTENDED_ERROR -> false;
            default -> true;
        };
    }

    /**
     * RFC 7871: family, source and scope prefix lengths, then the address cut to the source prefix,
     * with no bits set past it. An IPv4-mapped IPv6 address is left to dnsjava: it makes an IPv4
     * address of it, and fails when the prefix is longer than 32 bits.
     */
    private boolean checkClientSubnet(int from, int dataLength) {
        if (dataLength < 4) {
            return false;
        }
        int family = u16(wire, from);
        int addressBytes = family == 1 ? 4 : family == 2 ? 16 : -1;
        int source = wire[from + 2] & 0xFF;
        int scope = wire[from + 3] & 0xFF;
        if (addressBytes < 0 || source > addressBytes * 8 || scope > addressBytes * 8
                || dataLength - 4 != (source + 7) / 8) {
            return false;
        }
        if (source % 8 != 0 && (wire[from + 4 + source / 8] & (0xFF >> source % 8)) != 0) {
            return false; // bits set past the prefix
        }
        return family == 1 || !isIpv4Mapped(clientSubnetAddress(from + 4, dataLength - 4, 16));
    }

    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
    }

    private byte[] clientSubnetAddress(int from, int given, int size) {
        byte[] address = new byte[size];
        System.arraycopy(wire, from, address, 0, given);
        return address;
    }

    int options() {
        return options;
    }

    int optionCode(int option) {
        return u16(wire, optionAt[option]);
    }

    byte[] optionData(int option) {
        int at = optionAt[option];
        return Arrays.copyOfRange(wire, at + 4, at + 4 + u16(wire, at + 2));
    }

    /** The last client-subnet option as {@code address/source-prefix}, or null. */
    String clientSubnet() {
        String subnet = null;
        for (int i = 0; i < options; i++) {
            int at = optionAt[i];
            if (u16(wire, at) == OPTION_CLIENT_SUBNET) {
                int family = u16(wire, at + 4);
                int source = wire[at + 6] & 0xFF;
                byte[] address = clientSubnetAddress(at + 8, u16(wire, at + 2) - 4, family == 1 ? 4 : 16);
                subnet = IpAddresses.format(address) + "/" + source;
            }
        }
        return subnet;
    }
}
