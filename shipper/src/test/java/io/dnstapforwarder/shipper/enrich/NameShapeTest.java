package io.dnstapforwarder.shipper.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The measures of a name, on names of every kind, against the plain arithmetic of the name's text. */
class NameShapeTest {

    private static final PublicSuffixes LIST = PublicSuffixes.bundled();

    @Test
    void measuresAHostnameAndATunnelsName() {
        NameShape www = shape("www.example.com");
        assertThat(www).isEqualTo(new NameShape(15, 3, 7, 0, 0, 0)); // "www": one symbol, no information

        String tunnel = "4e6f77206973207468652074696d65.f0r.t.evil.co.uk";
        NameShape data = shape(tunnel);
        assertThat(data.length()).isEqualTo(tunnel.length());
        assertThat(data.labels()).isEqualTo(6);
        assertThat(data.longestLabel()).isEqualTo(30);
        assertThat(data.digitsRatio()).isCloseTo(expectedDigits(tunnel), within(1e-9));
        assertThat(data.subdomainEntropy()).isCloseTo(entropy("4e6f77206973207468652074696d65f0rt"), within(1e-9));
    }

    @Test
    void countsAnEscapedByteAsOneAndTheRootAsNothing() {
        NameShape escaped = NameShape.of("sp\\032ace.ex\\.ample.com", -1);
        assertThat(escaped.length()).isEqualTo("sp ace.ex.ample.com".length());
        assertThat(escaped.labels()).isEqualTo(3);
        assertThat(escaped.longestLabel()).isEqualTo(8);
        assertThat(escaped.subdomainEntropy()).isNaN();

        assertThat(NameShape.of(".", -1)).isEqualTo(new NameShape(0, 0, 0, 0, Double.NaN, 0));
        assertThat(shape("example.com").subdomainEntropy()).as("nothing left of the registered domain").isNaN();
        assertThat(shape("WwW.ExAmple.com").subdomainEntropy()).as("0x20 case is no content").isZero();
    }

    /** Any plain host name: its measures are its text's, whatever the list makes of it. */
    @Property(tries = 1000)
    void measuresAnyHostNameAsItsTextSays(@ForAll("hostNames") String name) {
        NameShape measured = shape(name);
        String[] labels = name.split("\\.");
        assertThat(measured.length()).isEqualTo(name.length());
        assertThat(measured.labels()).isEqualTo(labels.length);
        assertThat(measured.longestLabel()).isEqualTo(Arrays.stream(labels).mapToInt(String::length).max().orElse(0));
        assertThat(measured.digitsRatio()).isCloseTo(expectedDigits(name), within(1e-9));
        PublicSuffixes.Split split = LIST.split(name);
        if (split != null && split.registeredStart() > 0) {
            String subdomain = name.substring(0, split.registeredStart() - 1).replace(".", "");
            assertThat(measured.subdomainEntropy()).isCloseTo(entropy(subdomain), within(1e-9));
        } else {
            assertThat(measured.subdomainEntropy()).isNaN();
        }
    }

    @Provide
    Arbitrary<String> hostNames() {
        Arbitrary<String> label = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789-_")
                .ofMinLength(1).ofMaxLength(63);
        Arbitrary<String> suffix = Arbitraries.of("com", "co.uk", "github.io", "example", "ck", "kobe.jp");
        return label.list().ofMinSize(0).ofMaxSize(5).flatMap(labels -> suffix.map(end ->
                labels.isEmpty() ? end : String.join(".", labels) + "." + end));
    }

    private static NameShape shape(String name) {
        PublicSuffixes.Split split = LIST.split(name);
        return NameShape.of(name, split == null ? -1 : split.registeredStart());
    }

    private static double expectedDigits(String name) {
        String content = name.replace(".", "");
        return content.isEmpty() ? 0 : (double) content.chars().filter(Character::isDigit).count() / content.length();
    }

    /** Shannon entropy in bits per character, letters in one case: the textbook formula over the text. */
    static double entropy(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        Map<Integer, Long> counts = lower.chars().boxed().collect(Collectors.groupingBy(Function.identity(),
                Collectors.counting()));
        double bits = 0;
        for (long count : counts.values()) {
            double p = (double) count / lower.length();
            bits -= p * Math.log(p) / Math.log(2);
        }
        return bits == 0 ? 0 : bits;
    }
}
