package io.dnstapforwarder.shipper.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.testkit.TestData;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** Each reason of query_suspicious at its threshold and past it, the options, and the captures' names. */
class SuspicionRulesTest {

    private static final PublicSuffixes LIST = PublicSuffixes.bundled();
    private static final SuspicionRules DEFAULTS = SuspicionRules.DEFAULT;

    @Test
    void eachReasonComesJustPastItsThreshold() {
        String label40 = "a".repeat(40);
        assertThat(reasons(label40 + ".example.com", DEFAULTS)).as("52 bytes, a 40-byte label").isEmpty();
        assertThat(reasons(label40 + "a.example.com", DEFAULTS))
                .containsExactly(SuspiciousReason.LONG_NAME, SuspiciousReason.LONG_LABEL);

        assertThat(reasons("a.b.c.d.e.f.g.h.example.com", DEFAULTS)).as("10 labels").isEmpty();
        assertThat(reasons("a.b.c.d.e.f.g.h.i.example.com", DEFAULTS)).containsExactly(SuspiciousReason.MANY_LABELS);

        assertThat(reasons("12ab.example.com", DEFAULTS)).as("2 digits of 14").isEmpty();
        assertThat(reasons("1234567890.example.com", DEFAULTS)).as("10 digits of 20").isEmpty();
        assertThat(reasons("12345678901.example.com", DEFAULTS)).as("11 of 21").containsExactly(SuspiciousReason.MANY_DIGITS);

        String sixteenSymbols = "abcdefghijklmnop"; // exactly 4 bits each
        assertThat(reasons(sixteenSymbols + ".example.com", DEFAULTS)).isEmpty();
        assertThat(reasons(sixteenSymbols + "q.example.com", DEFAULTS)).containsExactly(SuspiciousReason.HIGH_ENTROPY);

        assertThat(reasons("a+b/c=.example.com", DEFAULTS)).containsExactly(SuspiciousReason.ODD_CHARACTERS);
        assertThat(reasons("sp\\032ace.example.com", DEFAULTS)).containsExactly(SuspiciousReason.ODD_CHARACTERS);
        assertThat(reasons("_dmarc.mail-1.example.com", DEFAULTS)).as("underscore and hyphen are a host's").isEmpty();

        assertThat(reasons("t.example.com", Type.NULL, DEFAULTS)).containsExactly(SuspiciousReason.RARE_TYPE);
        assertThat(reasons("t.example.com", Type.ANY, DEFAULTS)).containsExactly(SuspiciousReason.RARE_TYPE);
        assertThat(reasons("t.example.com", 65534, DEFAULTS)).containsExactly(SuspiciousReason.RARE_TYPE);
        for (String common : SuspicionRules.COMMON_TYPES) {
            assertThat(reasons("t.example.com", Type.value(common), DEFAULTS)).as(common).isEmpty();
        }
    }

    @Test
    void reverseNamesAreOnlyJudgedByTheirTypeAndCharacters() {
        String ip6 = "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.IP6.ARPA.";
        assertThat(reasons(ip6, Type.PTR, DEFAULTS)).isEmpty();
        assertThat(reasons("4.3.2.1.in-addr.arpa", Type.PTR, DEFAULTS)).isEmpty();
        assertThat(reasons("4.3.2.1.in-addr.arpa", Type.NULL, DEFAULTS)).containsExactly(SuspiciousReason.RARE_TYPE);
        assertThat(SuspicionRules.isReverse("x.notip6.arpa")).isFalse();
        assertThat(SuspicionRules.isReverse("ip6.arpa")).isTrue();
    }

    @Test
    void anOperatorMovesOrTurnsOffAThresholdAndNamesTheCommonTypes() {
        SuspicionRules rules = SuspicionRules.of(List.of("long_name=60", "many_digits=off", "high_entropy=3.5"),
                List.of("a", "aaaa", "null", "TYPE65534"));
        String label40 = "a".repeat(40);
        assertThat(reasons(label40 + "a.example.com", rules)).containsExactly(SuspiciousReason.LONG_LABEL);
        assertThat(reasons("12345678901.example.com", rules)).isEmpty();
        assertThat(reasons("abcdefghijklm.example.com", rules)).containsExactly(SuspiciousReason.HIGH_ENTROPY);
        assertThat(reasons("t.example.com", Type.NULL, rules)).isEmpty();
        assertThat(reasons("t.example.com", 65534, rules)).isEmpty();
        assertThat(reasons("t.example.com", Type.MX, rules)).containsExactly(SuspiciousReason.RARE_TYPE);
        assertThat(rules.describe()).startsWith("long_name=60,many_labels=10,long_label=40,high_entropy=3.5,"
                + "many_digits=off,odd_characters=on,rare_type=on; common types A,AAAA,NULL,TYPE65534");

        SuspicionRules quiet = SuspicionRules.of(List.of("odd_characters=off", "rare_type=off", "long_name=on"), List.of());
        assertThat(reasons("a+b.example.com", Type.NULL, quiet)).isEmpty();
        assertThat(reasons(label40 + "aaaaaa.example.com", Type.A, quiet)).contains(SuspiciousReason.LONG_NAME);
    }

    @Test
    void aThresholdThatCannotBeUsedStopsTheStartNamingTheOption() {
        for (String bad : List.of("long_name", "longname=52", "long_name=", "long_name=0", "long_name=-1", "long_name=300",
                "many_digits=1.5", "high_entropy=9", "high_entropy=NaN", "rare_type=3", "odd_characters=2")) {
            assertThatThrownBy(() -> SuspicionRules.of(List.of(bad), List.of())).as(bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("--suspicious-thresholds")
                    .hasMessageContaining(bad);
        }
        assertThatThrownBy(() -> SuspicionRules.of(List.of(), List.of("A", "BOGUS")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--common-query-types").hasMessageContaining("BOGUS");
    }

    /**
     * The names dnsperf sent to Unbound for the large capture: 3 of 411 are flagged, the capture's
     * deliberately odd name and its longest random name (19 bytes, 17 distinct); its shorter random
     * names cannot pass 4 bits per byte (16 symbols at most), nothing that looks like a host is.
     */
    @Test
    void theCapturesNamesAreFlaggedOnlyWhereTheyLookGenerated() throws Exception {
        List<String> lines = Files.readAllLines(TestData.path("queries-large.txt"));
        List<String> flagged = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            Set<SuspiciousReason> reasons = reasons(parts[0], Type.value(parts[1]), DEFAULTS);
            if (!reasons.isEmpty()) {
                flagged.add(parts[0] + " " + reasons);
            }
        }
        assertThat(lines).hasSize(411);
        assertThat(flagged).containsExactly("a.very.long.label.name.with.many.labels." + "a".repeat(62) + "."
                + "b".repeat(63) + "." + "c".repeat(63) + ".test.example [LONG_NAME, MANY_LABELS, LONG_LABEL]",
                "xbxtlnv5moijesg687c.test.example [HIGH_ENTROPY]", "xbxtlnv5moijesg687c.nx.example [HIGH_ENTROPY]");
    }

    private static Set<SuspiciousReason> reasons(String name, SuspicionRules rules) {
        return reasons(name, Type.A, rules);
    }

    private static Set<SuspiciousReason> reasons(String name, int type, SuspicionRules rules) {
        PublicSuffixes.Split split = LIST.split(name);
        int bits = rules.reasons(name, NameShape.of(name, split == null ? -1 : split.registeredStart()), type);
        Set<SuspiciousReason> reasons = EnumSet.noneOf(SuspiciousReason.class);
        for (SuspiciousReason reason : SuspiciousReason.values()) {
            if (reason.in(bits)) {
                reasons.add(reason);
            }
        }
        return reasons;
    }
}
