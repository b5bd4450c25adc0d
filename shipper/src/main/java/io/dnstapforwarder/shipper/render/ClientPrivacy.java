package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.net.IpAddresses;
import io.dnstapforwarder.net.Network;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What Splunk learns of the clients: their addresses as sent ({@link Mode#NONE}), cut to a network
 * ({@link Mode#TRUNCATE}: /24 and /56 by default, what most privacy rules accept for DNS logs), or
 * replaced by a keyed pseudonym ({@link Mode#PSEUDONYMIZE}: HMAC-SHA256 with a secret key, so the
 * same client gets the same pseudonym, across shippers and restarts, while the key is in force,
 * and nobody without the key can go back or test a guess). The keys rotate: each is in force from
 * its time ({@link PseudonymKeys}), and the key file is read again when it changes. The client
 * subnet a query carries (ECS) is treated alike, and with any of them on, raw bytes that hold
 * addresses (an undecodable message, the option's data) are not sent. Filters and sampling decide
 * on the real address before this applies. Thread-safe; a renderer works through its own
 * {@link Local}.
 */
public final class ClientPrivacy {

    /** How client addresses are sent. */
    public enum Mode { NONE, TRUNCATE, PSEUDONYMIZE }

    public static final int DEFAULT_IPV4_PREFIX = 24;
    public static final int DEFAULT_IPV6_PREFIX = 56;
    public static final ClientPrivacy NONE = new ClientPrivacy(Mode.NONE, 32, 128, null, null);
    private static final HexFormat HEX = HexFormat.of();

    private final Mode mode;
    private final int ipv4Prefix;
    private final int ipv6Prefix;
    private final Path keyFile;
    private volatile PseudonymKeys keys;

    private ClientPrivacy(Mode mode, int ipv4Prefix, int ipv6Prefix, Path keyFile, PseudonymKeys keys) {
        this.mode = mode;
        this.ipv4Prefix = ipv4Prefix;
        this.ipv6Prefix = ipv6Prefix;
        this.keyFile = keyFile;
        this.keys = keys;
    }

    /**
     * @param keyFile the pseudonyms' secret keys ({@link PseudonymKeys}: one key of at least 16
     *     bytes, or lines of keys with ids and times), for {@link Mode#PSEUDONYMIZE}
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
            return chosen == Mode.NONE ? NONE : new ClientPrivacy(chosen, ipv4Prefix, ipv6Prefix, null, null);
        }
        if (keyFile == null) {
            throw new ConfigException("--client-privacy pseudonymize needs --client-privacy-key-file "
                    + "(DNSTAP_CLIENT_PRIVACY_KEY_FILE): a secret of at least 16 bytes, the same on every shipper");
        }
        return new ClientPrivacy(chosen, ipv4Prefix, ipv6Prefix, keyFile, PseudonymKeys.read(keyFile));
    }

    public Mode mode() {
        return mode;
    }

    public boolean hidesAddresses() {
        return mode != Mode.NONE;
    }

    /** The key file, watched for changes; null without pseudonyms. */
    public Path keyFile() {
        return keyFile;
    }

    /**
     * Reads the key file again and puts its keys in force (a key added for tomorrow takes effect
     * at its time, no restart); a file that cannot be used throws {@link ConfigException} and the
     * keys in force stay.
     */
    public void reload() {
        if (keyFile != null) {
            keys = PseudonymKeys.read(keyFile);
        }
    }

    /** For /stats and the log: the mode and, with pseudonyms, the keys' ids and times (never the keys). */
    public String describe() {
        String name = mode.name().toLowerCase(Locale.ROOT);
        return switch (mode) {
            case NONE -> name;
            case TRUNCATE -> name + " to /" + ipv4Prefix + " and /" + ipv6Prefix;
            case PSEUDONYMIZE -> name + " with " + keys.describe(Instant.now());
        };
    }

    /** A renderer's view: it selects the key of each event, and keeps the MACs of the keys it used. */
    public Local local() {
        return new Local();
    }

    private static byte[] truncated(byte[] address, int prefix) {
        byte[] network = Arrays.copyOf(address, address.length);
        for (int bit = prefix; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return network;
    }

    /** The addresses of one renderer's events, each with the key of its time. Not thread-safe. */
    public final class Local {
        private final Map<PseudonymKeys.Key, Mac> macs = new IdentityHashMap<>();
        private PseudonymKeys keysOfMacs;
        private PseudonymKeys.Key key;
        private Mac mac;

        Local() {
            select(Instant.now().toEpochMilli() * 1_000_000L);
        }

        /**
         * Takes the key in force at {@code receivedAtNs} (the event's receipt by the collector) for
         * the addresses that follow; returns its id, or null when there are no pseudonyms.
         */
        public String select(long receivedAtNs) {
            if (mode != Mode.PSEUDONYMIZE) {
                return null;
            }
            PseudonymKeys inForce = keys;
            if (inForce != keysOfMacs) { // the file was read again: its keys may be new under old ids
                macs.clear();
                keysOfMacs = inForce;
            }
            key = inForce.at(receivedAtNs);
            mac = macs.computeIfAbsent(key, Local::newMac);
            return key.id();
        }

        /** The id of the key selected; null without pseudonyms. */
        public String keyId() {
            return key == null ? null : key.id();
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

        /** 16 hex digits (64 bits) of HMAC-SHA256: collisions are negligible below billions of clients. */
        private String pseudonym(byte[] address) {
            return HEX.formatHex(mac.doFinal(address), 0, 8);
        }

        private static Mac newMac(PseudonymKeys.Key key) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        }
    }
}
