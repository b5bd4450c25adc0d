package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.net.Network;
import io.dnstapforwarder.shipper.render.EventProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * {@link Shaping} compiled for the hot path: each rule a bit set, a byte comparison or a hash
 * lookup on what {@link DnstapPeek} read, tried cheapest first. Immutable, shared by the workers.
 */
public final class ShapingRules {

    /** Why an event was dropped: the {@code reason} tag of the drop counter. */
    public enum Drop {
        MESSAGE_TYPE, IDENTITY, QUERY_TYPE, REPLY_CODE, CLIENT_NETWORK, QUERY_SUFFIX, SAMPLED;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Shaping shaping;
    private final BitSet messageTypes = new BitSet();
    private final List<byte[]> identities = new ArrayList<>();
    private final BitSet queryTypes = new BitSet();
    private final BitSet replyCodes = new BitSet();
    private final List<Network> clientNetworks = new ArrayList<>();
    private final SuffixSet suffixes;
    private final boolean dropsAnything;

    private ShapingRules(Shaping shaping) {
        this.shaping = shaping;
        if (shaping.responsesOnly()) {
            for (Message.Type type : Message.Type.values()) {
                if (type.getNumber() % 2 == 1) {
                    messageTypes.set(type.getNumber());
                }
            }
        }
        for (String name : shaping.dropMessageTypes()) {
            try {
                messageTypes.set(Message.Type.valueOf(name.strip().toUpperCase(Locale.ROOT)).getNumber());
            } catch (IllegalArgumentException e) {
                throw ConfigException.invalid("--drop-message-type", name, "is not a dnstap message type "
                        + "(CLIENT_QUERY, CLIENT_RESPONSE, RESOLVER_QUERY, ...)");
            }
        }
        shaping.dropIdentities().forEach(identity -> identities.add(identity.getBytes(StandardCharsets.UTF_8)));
        for (String name : shaping.dropQueryTypes()) {
            int type = Type.value(name.strip(), true);
            if (type < 0) {
                throw ConfigException.invalid("--drop-query-type", name, "is not a DNS record type (A, PTR, TXT, TYPE65534, ...)");
            }
            queryTypes.set(type);
        }
        for (String name : shaping.dropReplyCodes()) {
            int code = Rcode.value(name.strip());
            if (code < 0 || code > 15) {
                throw ConfigException.invalid("--drop-reply-code", name, "is not a DNS reply code of the header "
                        + "(NOERROR, SERVFAIL, NXDOMAIN, REFUSED, ...)");
            }
            replyCodes.set(code);
        }
        shaping.dropClientNetworks().forEach(cidr -> clientNetworks.add(Network.parse("--drop-client-network", cidr)));
        List<String> names = new ArrayList<>(shaping.dropQuerySuffixes());
        if (shaping.dropQuerySuffixFile() != null) {
            names.addAll(readSuffixFile(shaping));
        }
        this.suffixes = SuffixSet.of(names, "--drop-query-suffix");
        this.dropsAnything = !messageTypes.isEmpty() || !identities.isEmpty() || !queryTypes.isEmpty()
                || !replyCodes.isEmpty() || !clientNetworks.isEmpty() || !suffixes.isEmpty() || shaping.sampleRate() > 1;
    }

    public static ShapingRules compile(Shaping shaping) {
        shaping.enrichment().check(shaping.enrich());
        return new ShapingRules(shaping);
    }

    public Shaping shaping() {
        return shaping;
    }

    public EventProfile profile() {
        return shaping.profile();
    }

    public int sampleRate() {
        return shaping.sampleRate();
    }

    /** Whether any rule can drop an event: when not, nothing needs peeking. */
    public boolean dropsAnything() {
        return dropsAnything;
    }

    public int suffixCount() {
        return suffixes.size();
    }

    /** Why the event {@code peek} read is dropped, cheapest test first; {@code null} to keep it. */
    public Drop dropReason(DnstapPeek peek) {
        if (messageTypes.get(peek.messageType())) {
            return Drop.MESSAGE_TYPE;
        }
        if (!identities.isEmpty() && peek.identityStart() >= 0 && isDroppedIdentity(peek)) {
            return Drop.IDENTITY;
        }
        if (peek.qtype() >= 0 && queryTypes.get(peek.qtype())) {
            return Drop.QUERY_TYPE;
        }
        if (peek.rcode() >= 0 && replyCodes.get(peek.rcode())) {
            return Drop.REPLY_CODE;
        }
        if (!clientNetworks.isEmpty() && peek.clientStart() >= 0 && inDroppedNetwork(peek)) {
            return Drop.CLIENT_NETWORK;
        }
        if (peek.qnameStart() >= 0 && suffixes.matches(peek.bytes(), peek.qnameStart(), peek.qnameEnd())) {
            return Drop.QUERY_SUFFIX;
        }
        if (shaping.sampleRate() > 1 && !Sampling.keeps(peek, shaping.sampleRate())) {
            return Drop.SAMPLED;
        }
        return null;
    }

    private boolean isDroppedIdentity(DnstapPeek peek) {
        for (byte[] identity : identities) {
            if (Arrays.equals(identity, 0, identity.length, peek.bytes(), peek.identityStart(),
                    peek.identityStart() + peek.identityLength())) {
                return true;
            }
        }
        return false;
    }

    private boolean inDroppedNetwork(DnstapPeek peek) {
        for (Network network : clientNetworks) {
            if (network.contains(peek.bytes(), peek.clientStart(), peek.clientLength())) {
                return true;
            }
        }
        return false;
    }

    private static List<String> readSuffixFile(Shaping shaping) {
        try {
            return Files.readAllLines(shaping.dropQuerySuffixFile(), StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw ConfigException.invalid("--drop-query-suffix-file", shaping.dropQuerySuffixFile(), "cannot be read: " + e);
        }
    }
}
