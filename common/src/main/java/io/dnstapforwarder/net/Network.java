package io.dnstapforwarder.net;

import io.dnstapforwarder.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IP network in CIDR notation ({@code 10.0.53.0/24}, {@code 2001:db8::/32}, or one address),
 * for deciding which senders may connect. Written here because it is twenty lines on the JDK's
 * own address parsing; parsing never looks a name up in DNS.
 */
public final class Network {

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final byte[] prefix;
    private final int bits;
    private final String text;

    private Network(byte[] prefix, int bits, String text) {
        this.prefix = prefix;
        this.bits = bits;
        this.text = text;
    }

    /** Parses {@code ADDRESS[/BITS]}; {@code option} names the setting in the error. */
    public static Network parse(String option, String cidr) {
        String trimmed = cidr.strip();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (!IP_LITERAL.matcher(address).matches()) {
            throw ConfigException.invalid(option, cidr, "must be an IP network such as 10.0.53.0/24 or 2001:db8::/32");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw ConfigException.invalid(option, cidr, "must be an IP network such as 10.0.53.0/24 or 2001:db8::/32");
        }
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw ConfigException.invalid(option, cidr, "has a prefix length outside 0.." + bytes.length * 8);
            }
        }
        return new Network(bytes, bits, trimmed);
    }

    /** Whether {@code address} is in this network (an IPv4 network never holds an IPv6 address, nor the reverse). */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return contains(bytes, 0, bytes.length);
    }

    /** The same for the address of {@code length} bytes (4 or 16) at {@code offset}: no allocation. */
    public boolean contains(byte[] bytes, int offset, int length) {
        if (length != prefix.length) {
            return false;
        }
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (bytes[offset + whole] & mask) == (prefix[whole] & mask);
    }

    /** The address as given (bits past the prefix length included). */
    public byte[] address() {
        return prefix.clone();
    }

    /** The prefix length. */
    public int bits() {
        return bits;
    }

    @Override
    public String toString() {
        return text;
    }
}
