package io.dnstapforwarder.shipper.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pseudonyms' key file: one key as before, or keys with ids and the times they are in force from. */
class PseudonymKeysTest {

    private static final byte[] SECRET_1 = "the first secret of 32 bytes....".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SECRET_2 = "the second secret, 32 bytes too.".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SECRET_3 = "and a third one of 32 bytes.....".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void aFileOfOneKeyIsThatKeyAlwaysNamedByItsFingerprint() throws Exception {
        byte[] random = HexFormat.of().parseHex("9f00c3e1d2ffa0017b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192");
        PseudonymKeys keys = PseudonymKeys.read(Files.write(dir.resolve("key"), random));

        assertThat(keys.keys()).hasSize(1);
        PseudonymKeys.Key key = keys.at(0);
        assertThat(key.secret()).isEqualTo(random);
        assertThat(key.id()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(random), 0, 8));
        assertThat(keys.at(Long.MAX_VALUE)).isSameAs(key);

        // A key written as text (openssl rand -base64 32 > key), or a passphrase with spaces, as the one-key
        // format always allowed: its bytes.
        for (String text : List.of(Base64.getEncoder().encodeToString(random) + "\n",
                "a passphrase of some words, 2026-12-08T00:00:00Z among them\n")) {
            assertThat(PseudonymKeys.read(Files.writeString(dir.resolve("text-key"), text)).at(0).secret())
                    .isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        }
        // A typo in the only line of a file of keys is an error, never a key.
        assertThatThrownBy(() -> PseudonymKeys.read(Files.writeString(dir.resolve("typo"),
                "day-1 2026-12-07T00:00:00Z hx:" + HexFormat.of().formatHex(SECRET_1) + "\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("line 1");
    }

    @Test
    void eachKeyIsInForceFromItsTimeToTheNextOnesInAnyOrderGiven() throws Exception {
        PseudonymKeys keys = PseudonymKeys.read(Files.writeString(dir.resolve("keys"), String.join("\n",
                "# id  in force from  key",
                "day-2  2026-12-08T00:00:00Z  hex:" + HexFormat.of().formatHex(SECRET_2),
                "",
                "day-1  2026-12-07T00:00:00Z  base64:" + Base64.getEncoder().encodeToString(SECRET_1),
                "   day-3\t2026-12-09T00:00:00Z base64:" + Base64.getEncoder().encodeToString(SECRET_3) + "   ")));

        assertThat(keys.keys()).extracting(PseudonymKeys.Key::id).containsExactly("day-1", "day-2", "day-3");
        assertThat(keys.at(nanos("2026-12-01T00:00:00Z")).id()).as("before every key: the earliest").isEqualTo("day-1");
        assertThat(keys.at(nanos("2026-12-07T23:59:59.999999999Z")).id()).isEqualTo("day-1");
        assertThat(keys.at(nanos("2026-12-08T00:00:00Z")).id()).isEqualTo("day-2");
        assertThat(keys.at(nanos("2026-12-08T00:00:00Z")).secret()).isEqualTo(SECRET_2);
        assertThat(keys.at(nanos("2030-01-01T00:00:00Z")).id()).isEqualTo("day-3");
        assertThat(keys.describe(Instant.parse("2026-12-08T12:00:00Z")))
                .isEqualTo("3 keys (day-1 from 2026-12-07T00:00:00Z, day-2 from 2026-12-08T00:00:00Z, "
                        + "day-3 from 2026-12-09T00:00:00Z); in force now: day-2")
                .doesNotContain(Base64.getEncoder().encodeToString(SECRET_1));
    }

    /** Five years of daily keys: each day's events get that day's key. */
    @Test
    void aLongFileOfDailyKeysGivesEachDayItsOwn() throws Exception {
        StringBuilder file = new StringBuilder();
        java.time.LocalDate first = java.time.LocalDate.parse("2026-01-01");
        for (int day = 0; day < 5 * 365; day++) {
            java.time.LocalDate date = first.plusDays(day);
            file.append(date).append(' ').append(date).append("T00:00:00Z hex:")
                    .append(String.format("%064x", day + 1)).append('\n');
        }
        PseudonymKeys keys = PseudonymKeys.read(Files.writeString(dir.resolve("keys"), file));
        for (int day = 0; day < 5 * 365; day += 7) {
            String date = first.plusDays(day).toString();
            assertThat(keys.at(nanos(date + "T00:00:00Z")).id()).isEqualTo(date);
            assertThat(keys.at(nanos(date + "T23:59:59.999Z")).id()).isEqualTo(date);
        }
        assertThat(keys.at(nanos("2025-06-01T00:00:00Z")).id()).isEqualTo("2026-01-01");
    }

    @Test
    void aKeyFileThatCannotBeUsedStopsTheStartNamingTheOptionAndTheLine() throws Exception {
        String good = "day-1 2026-12-07T00:00:00Z hex:" + HexFormat.of().formatHex(SECRET_1) + "\n";
        for (List<String> bad : List.of(
                List.of("day-2 2026-12-08T00:00:00Z hex:0011", "has 2 bytes"),
                List.of("day-2 2026-12-08T00:00:00Z base64:not*base64", "does not decode"),
                List.of("day-2 2026-12-08T00:00:00Z hex:" + HexFormat.of().formatHex(SECRET_2).substring(1), "does not decode"),
                List.of("day-1 2026-12-08T00:00:00Z hex:" + HexFormat.of().formatHex(SECRET_2), "is given twice"),
                List.of("day-2 2026-12-07T00:00:00Z hex:" + HexFormat.of().formatHex(SECRET_2), "in force from"),
                List.of("day-2 tomorrow hex:" + HexFormat.of().formatHex(SECRET_2), "is not a UTC time"),
                List.of("day-2 2026-12-08T00:00:00Z " + HexFormat.of().formatHex(SECRET_2), "must be: id"),
                List.of("day-2 2026-12-08T00:00:00Z bas64:" + HexFormat.of().formatHex(SECRET_2), "must be: id"),
                List.of("day-2 2026-12-08T00:00:00Z", "must be: id"),
                List.of("da/y 2026-12-08T00:00:00Z hex:" + HexFormat.of().formatHex(SECRET_2), "must be letters"))) {
            Path file = Files.writeString(dir.resolve("keys"), good + bad.get(0) + "\n");
            assertThatThrownBy(() -> PseudonymKeys.read(file)).as(bad.get(0)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("--client-privacy-key-file").hasMessageContaining("line 2")
                    .hasMessageContaining(bad.get(1));
        }
        assertThatThrownBy(() -> PseudonymKeys.read(Files.writeString(dir.resolve("comments"), "# keys to come\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("holds no key line");
        assertThatThrownBy(() -> PseudonymKeys.read(Files.write(dir.resolve("short"), new byte[15])))
                .isInstanceOf(ConfigException.class).hasMessageContaining("holds 15 bytes");
        assertThatThrownBy(() -> PseudonymKeys.read(dir.resolve("missing")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
    }

    /** docs/EVENTS.md's daily rotation, run as written (twice: on two days), into a file of keys that reads. */
    @Test
    void theReadmesDailyRotationWritesAFileOfKeysThatReads() throws Exception {
        String readme = Files.readString(io.dnstapforwarder.testkit.TestData.path("../docs/EVENTS.md"));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("```sh\\n(keys=/etc/dnstap-forwarder/[^`]*)```")
                .matcher(readme);
        assertThat(block.find()).as("the docs' rotation example").isTrue();
        Path keys = dir.resolve("pseudonym-keys");
        String script = block.group(1).replace("/etc/dnstap-forwarder/pseudonym-keys", keys.toString());
        java.time.LocalDate tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1);

        run(script);
        PseudonymKeys written = PseudonymKeys.read(keys);
        assertThat(written.keys()).singleElement().satisfies(key -> {
            assertThat(key.id()).isEqualTo(tomorrow.toString());
            assertThat(key.from()).isEqualTo(tomorrow.atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
            assertThat(key.secret()).hasSize(32);
        });

        // The next day's run, as cron would make it: the same script with tomorrow one day later.
        run(script.replace("date -u -d tomorrow", "date -u -d '2 days'"));
        assertThat(PseudonymKeys.read(keys).keys()).extracting(PseudonymKeys.Key::id)
                .containsExactly(tomorrow.toString(), tomorrow.plusDays(1).toString());
    }

    private static void run(String script) throws Exception {
        Process bash = new ProcessBuilder("bash", "-euc", script).redirectErrorStream(true).start();
        String said = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).as(said).isZero();
    }

    static long nanos(String instant) {
        Instant time = Instant.parse(instant);
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }
}
