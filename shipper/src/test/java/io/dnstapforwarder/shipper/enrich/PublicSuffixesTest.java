package io.dnstapforwarder.shipper.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.testkit.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registered domain of a name, as the Public Suffix List project's own test vectors say it
 * (testdata/psl_test_vectors.txt), with the list the build carries; and whatever a DNS name holds.
 */
class PublicSuffixesTest {

    private static final Pattern CHECK = Pattern.compile("^checkPublicSuffix\\('([^']*)', (?:'([^']*)'|null)\\);$");
    private static final PublicSuffixes LIST = PublicSuffixes.bundled();

    @TempDir
    Path dir;

    @Test
    void findsTheRegisteredDomainOfEveryNameOfTheListsOwnTestVectors() throws Exception {
        int checked = 0;
        for (String line : Files.readAllLines(TestData.path("psl_test_vectors.txt"), StandardCharsets.UTF_8)) {
            Matcher check = CHECK.matcher(line.strip());
            if (!check.matches()) {
                continue; // comments, and the null input no DNS name is
            }
            assertThat(registered(check.group(1))).as(check.group(1)).isEqualTo(check.group(2));
            checked++;
        }
        assertThat(checked).as("every vector but the null input").isEqualTo(77);
    }

    @Test
    void countsThePrivateSectionSoThatANameUnderAHostingOrDynamicDnsSuffixIsItsOwner() {
        assertThat(registered("c2.evil.duckdns.org")).isEqualTo("evil.duckdns.org");
        assertThat(registered("attacker.github.io")).isEqualTo("attacker.github.io");
        assertThat(suffix("attacker.github.io")).isEqualTo("github.io");
        assertThat(registered("a1b2.cdn.evil.co.uk")).isEqualTo("evil.co.uk");
        assertThat(suffix("a1b2.cdn.evil.co.uk")).isEqualTo("co.uk");
    }

    @Test
    void givesNoneForTheRootEscapedBytesEmptyLabelsOrATrailingDot() {
        for (String name : List.of("", ".", "a..example.com", "example.com.", ".example.com", "sp\\032ace.example.com",
                "nul\\000.example.com", "dot\\.in.label.example.com")) {
            assertThat(LIST.split(name)).as(name).isNull();
        }
        assertThat(LIST.version()).startsWith("bundled 20");
    }

    @Test
    void refusesAFileThatIsNotTheListNamingTheOption() throws Exception {
        Path notTheList = Files.writeString(dir.resolve("list.dat"), "com\nnet\n");

        assertThatThrownBy(() -> PublicSuffixes.read(notTheList)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--public-suffix-file").hasMessageContaining("2 suffix rules");
        assertThatThrownBy(() -> PublicSuffixes.read(dir.resolve("missing.dat"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--public-suffix-file").hasMessageContaining("cannot be read");
    }

    @Test
    void readsAListTheOperatorKeepsAndSaysItsVersion() throws Exception {
        StringBuilder list = new StringBuilder("// VERSION: 2027-01-01_00-00-00_UTC\n// ===BEGIN ICANN DOMAINS===\n");
        for (int i = 0; i < 150; i++) {
            list.append("tld").append(i).append('\n');
        }
        list.append("co.tld1\n// ===END ICANN DOMAINS===\n");
        PublicSuffixes operators = PublicSuffixes.read(Files.writeString(dir.resolve("psl.dat"), list));

        assertThat(operators.version()).isEqualTo("2027-01-01_00-00-00_UTC");
        assertThat(registered(operators, "www.shop.co.tld1")).isEqualTo("shop.co.tld1");
    }

    /** Any name the renderer can write (printable ASCII and escapes, up to 255 bytes): an answer or none, never a fault. */
    @Property(tries = 2000)
    void anyNameGetsARegisteredDomainThatEndsItOrNone(@ForAll("names") String name) {
        PublicSuffixes.Split split = LIST.split(name);
        if (split != null) {
            assertThat(name.toLowerCase(Locale.ROOT)).endsWith(split.publicSuffix());
            assertThat(split.publicSuffix()).isNotEmpty().doesNotStartWith(".");
            if (split.registeredDomain() != null) {
                assertThat(split.registeredDomain()).endsWith("." + split.publicSuffix());
                assertThat(name.toLowerCase(Locale.ROOT)).endsWith(split.registeredDomain());
            }
        }
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> label = Arbitraries.oneOf(Arbitraries.of("com", "co", "uk", "jp", "ck", "www", "xn--55qx5d",
                "github", "io", "example", "EXAMPLE", "kobe", "city", "\\032", "\\.", ""), Arbitraries.strings()
                .withCharRange('!', '~').ofMaxLength(63));
        return label.list().ofMaxSize(8).map(labels -> String.join(".", labels)).filter(name -> name.length() <= 255);
    }

    private static String registered(String name) {
        return registered(LIST, name);
    }

    private static String registered(PublicSuffixes list, String name) {
        PublicSuffixes.Split split = list.split(name);
        return split == null ? null : split.registeredDomain();
    }

    private static String suffix(String name) {
        return LIST.split(name).publicSuffix();
    }
}
