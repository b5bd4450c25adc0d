package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.net.IpAddresses;
import io.dnstapforwarder.net.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What Splunk learns of the clients: their addresses as sent ({@link Mode#NONE}), cut to a network
 * ({@link Mode#TRUNCATE}: /24 and /56 by default, what most privacy rules accept for DNS logs), or
 * replaced by a keyed pseudonym ({@link Mode#PSEUDONYMIZE}: HMAC-SHA256 with a secret key, so the
 * same client gets the same pseudonym, across shippers and restarts, and nobody without the key
 * can go back or test a guess). The client subnet a query carries (ECS) is treated alike, and
 * with any of them on, raw bytes that hold addresses (an undecodable message, the option's data)
 * are not sent. Filters and sampling decide on the real address before this applies.
 */
public final class ClientPrivacy {

    /** How client addresses are sent. */
    public enum Mode { NONE, TRUNCATE, PSEUDONYMIZE }

    public static final int DEFAULT_IPV4_PREFIX = 24;
    public static final int DEFAULT_IPV6_PREFIX = 56;
    public static final ClientPrivacy NONE = new ClientPrivacy(Mode.NONE, 32, 128, null);
    private static final HexFormat HEX = HexFormat.of();

    private final Mode mode;
    private final int ipv4Prefix;
    private final int ipv6Prefix;
    private final byte[] key;
    private final ThreadLocal<Mac> macs;

    private ClientPrivacy(Mode mode, int ipv4Prefix, int ipv6Prefix, byte[] key) {
        this.mode = mode;
        this.ipv4Prefix = ipv4Prefix;
        this.ipv6Prefix = ipv6Prefix;
        this.key = key;
        this.macs = key == null ? null : ThreadLocal.withInitial(this::newMac);
    }

    /**
     * @param keyFile the pseudonyms' secret key (its bytes, at least 16), for {@link Mode#PSEUDONYMIZE}
     */
    public static ClientPrivacy of(String mode, int ipv4Prefix, int ipv6Prefix, Path keyFile) {
        Mode chosen;
        try {
            chosen = Mode.valueOf(mode.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid("--client-privacy", mode, "must be none, truncate or pseudonymize");
        }
        if (ipv4Prefix < 0 || ipv4Prefix > 32) {
            throw ConfigException.invalid("--client-ipv4-prefix", ipv4Prefix, "must be between 0 and 32");
        }
        if (ipv6Prefix < 0 || ipv6Prefix > 128) {
            throw ConfigException.invalid("--client-ipv6-prefix", ipv6Prefix, "must be between 0 and 128");
        }
        if (chosen != Mode.PSEUDONYMIZE) {
            return chosen == Mode.NONE ? NONE : new ClientPrivacy(chosen, ipv4Prefix, ipv6Prefix, null);
        }
        if (keyFile == null) {
            throw new ConfigException("--client-privacy pseudonymize needs --client-privacy-key-file "
                    + "(DNSTAP_CLIENT_PRIVACY_KEY_FILE): a secret of at least 16 bytes, the same on every shipper");
        }
        byte[] key;
        try {
            key = Files.readAllBytes(keyFile);
        } catch (IOException e) {
            throw ConfigException.invalid("--client-privacy-key-file", keyFile, "cannot be read: " + e);
        }
        if (key.length < 16) {
            throw ConfigException.invalid("--client-privacy-key-file", keyFile, "holds " + key.length
                    + " bytes; a key needs at least 16 (e.g. head -c 32 /dev/urandom > key)");
        }
        return new ClientPrivacy(chosen, ipv4Prefix, ipv6Prefix, key);
    }

    public Mode mode() {
        return mode;
    }

    public boolean hidesAddresses() {
        return mode != Mode.NONE;
    }

    /** The client address as sent: itself, its network's first address, or a pseudonym; null for no address. */
    public String client(byte[] address) {
        String text = IpAddresses.format(address);
        if (text == null || mode == Mode.NONE) {
            return text;
        }
        if (mode == Mode.TRUNCATE) {
            return IpAddresses.format(truncated(address, address.length == 4 ? ipv4Prefix : ipv6Prefix));
        }
        return pseudonym(address);
    }

    /** A client subnet ({@code 198.51.100.0/24}) as sent: narrowed to this privacy's prefix, or a pseudonym. */
    public String clientSubnet(String subnet) {
        if (mode == Mode.NONE) {
            return subnet;
        }
        Network network;
        try {
            network = Network.parse("ecs", subnet);
        } catch (ConfigException e) {
            return "redacted"; // the renderer formats subnets itself; this is only to be safe
        }
        byte[] address = network.address();
        int given = network.bits();
        if (mode == Mode.PSEUDONYMIZE) {
            return pseudonym(truncated(address, given)) + "/" + given;
        }
        int prefix = Math.min(given, address.length == 4 ? ipv4Prefix : ipv6Prefix);
        return IpAddresses.format(truncated(address, prefix)) + "/" + prefix;
    }

    private static byte[] truncated(byte[] address, int prefix) {
        byte[] network = Arrays.copyOf(address, address.length);
        for (int bit = prefix; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return network;
    }

    /** 16 hex digits (64 bits) of HMAC-SHA256: collisions are negligible below billions of clients. */
    private String pseudonym(byte[] address) {
        Mac mac = macs.get();
        byte[] digest = mac.doFinal(address);
        return HEX.formatHex(digest, 0, 8);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
