package io.dnstapforwarder.shipper.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.testkit.ReferenceDecode;
import io.dnstapforwarder.testkit.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** Each rule drops exactly the capture's events the reference decode says it should; rules combine as "any". */
class ShapingRulesTest {

    private static List<byte[]> records;
    private static List<ReferenceDecode.Message> reference;

    @BeforeAll
    static void readCapture() throws Exception {
        records = new ArrayList<>();
        for (byte[] frame : FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE)) {
            records.add(DnstapPeekTest.envelope(frame));
        }
        reference = ReferenceDecode.unboundSmall();
    }

    @Test
    void dropsQueriesForResponsesOnly() {
        assertDrops(shaping().responsesOnly(), ShapingRules.Drop.MESSAGE_TYPE, message -> message.type().endsWith("_QUERY"));
    }

    @Test
    void dropsByMessageTypeIdentityQueryTypeReplyCodeAndClientNetwork() {
        assertDrops(shaping().dropMessageTypes("client_query"), ShapingRules.Drop.MESSAGE_TYPE,
                message -> message.type().equals("CLIENT_QUERY"));
        assertDrops(shaping().dropIdentities("unbound-test"), ShapingRules.Drop.IDENTITY, message -> true);
        assertDrops(shaping().dropIdentities("another-server"), null, message -> false);
        assertDrops(shaping().dropQueryTypes("aaaa", "TYPE65534"), ShapingRules.Drop.QUERY_TYPE,
                message -> List.of("AAAA", "TYPE65534").contains(message.dns().questionType()));
        assertDrops(shaping().dropReplyCodes("NXDOMAIN"), ShapingRules.Drop.REPLY_CODE,
                message -> !message.type().endsWith("_QUERY") && message.dns().rcode().equals("NXDOMAIN"));
        assertDrops(shaping().dropClientNetworks("127.0.0.0/8"), ShapingRules.Drop.CLIENT_NETWORK,
                message -> message.queryAddress().startsWith("127."));
        assertDrops(shaping().dropClientNetworks("::1/128"), ShapingRules.Drop.CLIENT_NETWORK,
                message -> message.queryAddress().equals("::1"));
    }

    @Test
    void dropsWholeLabelSuffixesWhateverTheirCase() {
        assertDrops(shaping().dropQuerySuffixes("TEST.example"), ShapingRules.Drop.QUERY_SUFFIX,
                message -> lower(message.dns().questionName()).endsWith(".test.example.")
                        || lower(message.dns().questionName()).equals("test.example."));
        assertDrops(shaping().dropQuerySuffixes("est.example"), null, message -> false);
    }

    @Test
    void matchesOneOfAHundredThousandSuffixesByLabelsNotByListLength() {
        List<String> many = new ArrayList<>(IntStream.range(0, 100_000).mapToObj(i -> "blocked-" + i + ".example.net").toList());
        many.add("www.test.example");
        SuffixSet set = SuffixSet.of(many, "--drop-query-suffix");

        assertThat(set.size()).isEqualTo(100_001);
        assertThat(matches(set, "WWW.TeSt.ExAmPlE.")).isTrue();
        assertThat(matches(set, "a.b.blocked-99999.example.net.")).isTrue();
        assertThat(matches(set, "blocked-100000.example.net.")).isFalse();
        assertThat(matches(set, "example.net.")).isFalse();
    }

    /** Against the obvious definition: some suffix of the name's labels, case folded, is in the set. */
    @Property(tries = 1000)
    void matchesExactlyTheNamesUnderOneOfItsDomains(@ForAll("names") List<String> name,
            @ForAll("nameSets") List<List<String>> domains) throws Exception {
        SuffixSet set = SuffixSet.of(domains.stream().map(labels -> String.join(".", labels)).toList(), "--drop-query-suffix");
        boolean expected = false;
        for (int from = 0; from < name.size(); from++) {
            List<String> suffix = name.subList(from, name.size()).stream().map(ShapingRulesTest::lower).toList();
            expected |= domains.stream().anyMatch(labels -> labels.stream().map(ShapingRulesTest::lower).toList()
                    .equals(suffix));
        }

        assertThat(matches(set, String.join(".", name) + ".")).isEqualTo(expected);
    }

    @Provide
    Arbitrary<List<String>> names() {
        return Arbitraries.of("a", "B", "ab", "example", "EXAMPLE", "com", "test", "x-y").list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<List<String>>> nameSets() {
        return names().list().ofMinSize(1).ofMaxSize(6);
    }

    @Test
    void samplesOneInNKeepingEachTransactionsQueryAndResponseTogether() {
        ShapingRules rules = ShapingRules.compile(shaping().sampleRate(3).build());
        DnstapPeek peek = new DnstapPeek();
        int kept = 0;
        java.util.Map<String, Boolean> decisionOf = new java.util.HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            peek.read(records.get(i));
            boolean keeps = rules.dropReason(peek) == null;
            kept += keeps ? 1 : 0;
            ReferenceDecode.Message message = reference.get(i);
            String transaction = lower(message.dns().questionName()) + " " + message.queryAddress();
            Boolean earlier = decisionOf.putIfAbsent(transaction, keeps);
            assertThat(earlier == null || earlier == keeps).as("same decision for %s", transaction).isTrue();
        }
        assertThat((double) kept / records.size()).as("kept share").isBetween(0.2, 0.47);
    }

    @Test
    void refusesValuesThatAreNoneNamingTheOption() {
        assertThatThrownBy(() -> ShapingRules.compile(shaping().dropMessageTypes("CLIENT_QUERIES").build()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("Invalid value for --drop-message-type");
        assertThatThrownBy(() -> ShapingRules.compile(shaping().dropQueryTypes("AAAAA").build()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("Invalid value for --drop-query-type");
        assertThatThrownBy(() -> ShapingRules.compile(shaping().dropReplyCodes("BADCOOKIE").build()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("Invalid value for --drop-reply-code");
        assertThatThrownBy(() -> ShapingRules.compile(shaping().dropClientNetworks("10.0.0.0/33").build()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("Invalid value for --drop-client-network");
        assertThatThrownBy(() -> ShapingRules.compile(shaping().dropQuerySuffixes("a..b").build()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("Invalid value for --drop-query-suffix");
        assertThatThrownBy(() -> shaping().sampleRate(0).build()).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid value for --sample-rate");
    }

    /** Rules combine as "any of them": an event is kept only when every rule alone would keep it. */
    @Property(tries = 200)
    void aCombinationDropsWhatAnyOfItsRulesDrops(@ForAll("combinations") List<Builder> rules) {
        Builder combined = shaping();
        rules.forEach(rule -> rule.into(combined));
        ShapingRules all = ShapingRules.compile(combined.build());
        List<ShapingRules> each = rules.stream().map(rule -> ShapingRules.compile(rule.build())).toList();
        DnstapPeek peek = new DnstapPeek();

        for (byte[] record : records) {
            peek.read(record);
            boolean anyDrops = each.stream().anyMatch(rule -> rule.dropReason(peek) != null);
            assertThat(all.dropReason(peek) != null).isEqualTo(anyDrops);
        }
    }

    @Provide
    Arbitrary<List<Builder>> combinations() {
        Arbitrary<Builder> one = Arbitraries.oneOf(
                Arbitraries.of("CLIENT_QUERY", "CLIENT_RESPONSE").map(type -> shaping().dropMessageTypes(type)),
                Arbitraries.of("A", "AAAA", "HTTPS", "CAA", "ANY", "TXT").map(type -> shaping().dropQueryTypes(type)),
                Arbitraries.of("NOERROR", "NXDOMAIN", "REFUSED", "SERVFAIL").map(code -> shaping().dropReplyCodes(code)),
                Arbitraries.of("127.0.0.0/8", "::1/128", "192.0.2.0/24").map(net -> shaping().dropClientNetworks(net)),
                Arbitraries.of("test.example", "example", "caf\\195\\169.test.example", "nope.invalid")
                        .map(suffix -> shaping().dropQuerySuffixes(suffix)),
                // One rate: 1 in 2 together with 1 in 3 is no "any of" (nor any other one rate).
                Arbitraries.just(shaping().sampleRate(3)),
                Arbitraries.just(shaping().responsesOnly()));
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    private static void assertDrops(Builder shaping, ShapingRules.Drop reason, Predicate<ReferenceDecode.Message> dropped) {
        ShapingRules rules = ShapingRules.compile(shaping.build());
        DnstapPeek peek = new DnstapPeek();
        int drops = 0;
        for (int i = 0; i < records.size(); i++) {
            assertThat(peek.read(records.get(i))).isTrue();
            boolean expected = dropped.test(reference.get(i));
            assertThat(rules.dropReason(peek)).as("message %d (%s)", i, reference.get(i).dns().questionName())
                    .isEqualTo(expected ? reason : null);
            drops += expected ? 1 : 0;
        }
        if (reason != null) {
            assertThat(drops).as("the capture has such events").isPositive();
        }
    }

    private static boolean matches(SuffixSet set, String name) {
        try {
            byte[] wire = Name.fromString(name).toWire();
            return set.matches(wire, 0, wire.length);
        } catch (org.xbill.DNS.TextParseException e) {
            throw new AssertionError(e);
        }
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    static Builder shaping() {
        return new Builder();
    }

    /** A {@link Shaping} assembled rule by rule. */
    static final class Builder {
        private boolean responsesOnly;
        private final List<String> messageTypes = new ArrayList<>();
        private final List<String> identities = new ArrayList<>();
        private final List<String> suffixes = new ArrayList<>();
        private final List<String> queryTypes = new ArrayList<>();
        private final List<String> replyCodes = new ArrayList<>();
        private final List<String> networks = new ArrayList<>();
        private int sampleRate = 1;

        Builder responsesOnly() {
            responsesOnly = true;
            return this;
        }

        Builder dropMessageTypes(String... values) {
            messageTypes.addAll(List.of(values));
            return this;
        }

        Builder dropIdentities(String... values) {
            identities.addAll(List.of(values));
            return this;
        }

        Builder dropQuerySuffixes(String... values) {
            suffixes.addAll(List.of(values));
            return this;
        }

        Builder dropQueryTypes(String... values) {
            queryTypes.addAll(List.of(values));
            return this;
        }

        Builder dropReplyCodes(String... values) {
            replyCodes.addAll(List.of(values));
            return this;
        }

        Builder dropClientNetworks(String... values) {
            networks.addAll(List.of(values));
            return this;
        }

        Builder sampleRate(int rate) {
            sampleRate = rate;
            return this;
        }

        void into(Builder other) {
            other.responsesOnly |= responsesOnly;
            other.messageTypes.addAll(messageTypes);
            other.identities.addAll(identities);
            other.suffixes.addAll(suffixes);
            other.queryTypes.addAll(queryTypes);
            other.replyCodes.addAll(replyCodes);
            other.networks.addAll(networks);
            other.sampleRate = Math.max(other.sampleRate, sampleRate);
        }

        Shaping build() {
            return Shaping.builder().responsesOnly(responsesOnly).dropMessageTypes(messageTypes).dropIdentities(identities)
                    .dropQuerySuffixes(suffixes).dropQueryTypes(queryTypes).dropReplyCodes(replyCodes)
                    .dropClientNetworks(networks).sampleRate(sampleRate).build();
        }
    }
}
