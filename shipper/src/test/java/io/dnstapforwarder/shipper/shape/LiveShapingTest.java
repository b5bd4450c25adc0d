package io.dnstapforwarder.shipper.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.shipper.render.ClientPrivacy;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.testkit.TestData;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.testkit.LogLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --shaping-file: over the options, read again when it or its suffix file changes, a bad one refused loudly. */
class LiveShapingTest {

    @TempDir
    Path dir;

    private final ComponentMetrics metrics = new ComponentMetrics(ComponentMetrics.newPrometheusRegistry(), "shipper", "s");

    @Test
    void putsTheFileOverTheOptionsAndReadsItAgainWhenItChanges() throws Exception {
        Path file = write("shaping.properties", "event-profile = cim\ndrop-query-type = PTR, TXT\n");
        Path suffixes = write("suffixes.txt", "# blocked\nads.example\n");
        Shaping options = Shaping.builder().dropQuerySuffixes(List.of("corp.example")).dropQuerySuffixFile(suffixes)
                .sampleRate(5).liveFile(file).build();

        try (LiveShaping live = LiveShaping.start(options, metrics); LogLines lines = LogLines.of(LiveShaping.class)) {
            assertThat(live.get().profile()).isEqualTo(EventProfile.CIM);
            assertThat(live.get().shaping().dropQueryTypes()).containsExactly("PTR", "TXT");
            assertThat(live.get().suffixCount()).isEqualTo(2);
            assertThat(live.get().sampleRate()).as("from the options").isEqualTo(5);

            rewrite(file, "event-profile = compact\nresponses-only = true\nsample-rate = 10\n");
            live.reloadIfChanged();
            assertThat(live.get().profile()).as("a change is read once it stood still for a check").isEqualTo(
                    EventProfile.CIM);
            live.reloadIfChanged();
            assertThat(live.get().profile()).isEqualTo(EventProfile.COMPACT);
            assertThat(live.get().shaping().responsesOnly()).isTrue();
            assertThat(live.get().sampleRate()).isEqualTo(10);
            assertThat(live.get().shaping().dropQueryTypes()).as("back to the options").isEmpty();

            rewrite(suffixes, "ads.example\ntracker.example\nmore.example\n");
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(live.get().suffixCount()).isEqualTo(4);
            assertThat(lines.messages()).anyMatch(line -> line.startsWith("Shaping read again from " + file
                    + ": profile compact, responses only, dropping names under 4 domains, 1 in 10 sampled"));
        }
    }

    @Test
    void keepsTheRulesInForceWhenTheChangedFileCannotBeUsedAndSaysSo() throws Exception {
        Path file = write("shaping.properties", "event-profile = cim\n");
        Shaping options = Shaping.NONE.withLiveFile(file);

        try (LiveShaping live = LiveShaping.start(options, metrics); LogLines lines = LogLines.of(LiveShaping.class)) {
            rewrite(file, "event-profile = cim\ndrop-query-typ = PTR\n");
            live.reloadIfChanged();
            live.reloadIfChanged();
            live.reloadIfChanged();

            assertThat(live.get().profile()).isEqualTo(EventProfile.CIM);
            assertThat(lines.messages()).anyMatch(line -> line.startsWith("Cannot use " + file) && line.contains(
                    "drop-query-typ") && line.endsWith("the shaping in force stays: profile cim"));
            assertThat(metrics.registry().get("dnstap.component.errors").tag("error.type", "shaping_file_refused").counter()
                    .count()).isEqualTo(1.0);
        }
    }

    @Test
    void neverAppliesAFileSeenHalfWrittenByAWriterThatTruncatesFirst() throws Exception {
        Path file = write("shaping.properties", "event-profile = cim\ndrop-query-type = PTR\n");

        try (LiveShaping live = LiveShaping.start(Shaping.NONE.withLiveFile(file), metrics)) {
            rewrite(file, ""); // truncated; the writer has not written yet
            live.reloadIfChanged();
            rewrite(file, "event-profile = compact\ndrop-query-type = PTR\n");
            live.reloadIfChanged();

            assertThat(live.get().profile()).as("neither the empty file nor one still moving").isEqualTo(EventProfile.CIM);
            assertThat(live.get().shaping().dropQueryTypes()).containsExactly("PTR");
            live.reloadIfChanged();
            assertThat(live.get().profile()).isEqualTo(EventProfile.COMPACT);
            assertThat(live.get().shaping().dropQueryTypes()).containsExactly("PTR");
        }
    }

    @Test
    void refusesToStartOnAFileItCannotUseNamingTheOption() throws Exception {
        Path file = write("shaping.properties", "sample-rate = often\n");

        assertThatThrownBy(() -> LiveShaping.start(Shaping.NONE.withLiveFile(file), metrics))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--shaping-file")
                .hasMessageContaining("sample-rate = often");
        Path typo = write("typo.properties", "responses-only = yes\n");
        assertThatThrownBy(() -> LiveShaping.start(Shaping.NONE.withLiveFile(typo), metrics))
                .isInstanceOf(ConfigException.class).hasMessageContaining("responses-only = yes, not true or false");
        assertThatThrownBy(() -> LiveShaping.start(Shaping.NONE.withLiveFile(dir.resolve("missing")), metrics))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
    }

    @Test
    void readsThePublicSuffixFileAgainWhenItChangesAndKeepsTheListInForceWhenTheNewOneCannotBeUsed()
            throws Exception {
        Path list = write("psl.dat", suffixList("co.tld1"));
        Enrichment enrichment = Enrichment.of(List.of("registered-domain"), list);
        Shaping options = Shaping.builder().enrichment(enrichment).build(); // no shaping file: the list is watched alone

        try (LiveShaping live = LiveShaping.start(options, metrics); LogLines lines = LogLines.of(LiveShaping.class)) {
            assertThat(enrichment.suffixes().split("www.shop.co.tld1").registeredDomain()).isEqualTo("shop.co.tld1");

            rewrite(list, suffixList("shop.co.tld1"));
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(enrichment.suffixes().split("www.shop.co.tld1").registeredDomain()).isEqualTo("www.shop.co.tld1");

            rewrite(list, "com\n"); // truncated: not the list
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(enrichment.suffixes().split("www.shop.co.tld1").registeredDomain()).as("the list in force stays")
                    .isEqualTo("www.shop.co.tld1");
            assertThat(metrics.registry().get("dnstap.component.errors").tag("error.type", "public_suffix_file_refused")
                    .counter().count()).isEqualTo(1.0);
            assertThat(lines.messages()).anyMatch(line -> line.startsWith("Cannot use " + list)
                    && line.contains("--public-suffix-file"));
        }
    }

    /** Both a suffix list and a GeoIP database watched: a change of the database reads it alone. */
    @Test
    void readsAGeoipDatabaseAgainWhenItChangesAndKeepsItWhenTheNewOneCannotBeUsed() throws Exception {
        Path list = write("psl.dat", suffixList("co.tld1"));
        Path database = dir.resolve("geo.mmdb");
        Files.copy(TestData.path("maxmind/GeoLite2-Country-Test.mmdb"), database);
        Enrichment enrichment = Enrichment.of(List.of("registered-domain", "geoip"), list, null, List.of(database));
        byte[] google = java.net.InetAddress.getByName("1.0.0.1").getAddress();

        try (LiveShaping live = LiveShaping.start(Shaping.builder().enrichment(enrichment).build(), metrics);
                LogLines lines = LogLines.of(LiveShaping.class)) {
            assertThat(enrichment.geoip().locate(google).asn()).isZero();

            Files.copy(TestData.path("maxmind/GeoLite2-ASN-Test.mmdb"), database, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(database, FileTime.from(Instant.now().plusSeconds(1)));
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(enrichment.geoip().locate(google).asn()).isEqualTo(15169);

            rewrite(database, "not a database");
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(enrichment.geoip().locate(google).asn()).as("the database in force stays").isEqualTo(15169);
            assertThat(metrics.registry().get("dnstap.component.errors").tag("error.type", "geoip_database_refused")
                    .counter().count()).isEqualTo(1.0);
            assertThat(metrics.registry().find("dnstap.component.errors").tag("error.type", "public_suffix_file_refused")
                    .counter()).as("the list did not change").isNull();
            assertThat(lines.messages()).anyMatch(line -> line.startsWith("Cannot use " + database)
                    && line.contains("--geoip-database"));
        }
    }

    /**
     * Enrichments loaded at start, turned off and on by the shaping file, as renderers see them; one
     * that was not loaded at start refuses the file.
     */
    @Test
    void theShapingFileTurnsEnrichmentsLoadedAtStartOffAndOnButLoadsNone() throws Exception {
        Enrichment enrichment = Enrichment.of(List.of("registered-domain", "suspicious"), null);
        Path file = write("shaping.properties", "enrich = registered-domain\n");
        HecEventRenderer renderer = new HecEventRenderer(new HecEventRenderer.Settings("dnstap", null,
                EventProfile.COMPACT, ClientPrivacy.NONE, enrichment));
        io.dnstapforwarder.event.DnstapEvent longName = io.dnstapforwarder.event.DnstapEvents.parse(
                io.dnstapforwarder.testkit.TransactionFrames.half(io.dnstapforwarder.dnstap.Message.Type.CLIENT_QUERY,
                        "ns1", 53000, 1, "a".repeat(60) + ".example.com", 1));

        try (LiveShaping live = LiveShaping.start(Shaping.builder().enrichment(enrichment).enrich(
                List.of("registered-domain", "suspicious")).build().withLiveFile(file), metrics)) {
            String event = new String(renderer.render(longName), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(event).contains("\"query_registered_domain\":\"example.com\"").doesNotContain("query_suspicious");
            assertThat(enrichment.describe()).contains("suspicious (long_name=52").contains("[off by the shaping file]");

            rewrite(file, "enrich = registered-domain,suspicious\n");
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(new String(renderer.render(longName), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("\"query_suspicious\":[\"long_name\",\"long_label\"]");

            rewrite(file, "enrich = registered-domain,geoip\n");
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(metrics.registry().get("dnstap.component.errors").tag("error.type", "shaping_file_refused")
                    .counter().count()).isEqualTo(1.0);
            assertThat(new String(renderer.render(longName), java.nio.charset.StandardCharsets.UTF_8))
                    .as("the enrichments in force stay").contains("query_suspicious");

            rewrite(file, "event-profile = compact\n"); // no enrich: the command line's again
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(enrichment.describe()).doesNotContain("[off");
        }
        assertThatThrownBy(() -> LiveShaping.start(Shaping.builder().enrichment(enrichment).build()
                .withLiveFile(write("geo.properties", "enrich = geoip\n")), metrics))
                .isInstanceOf(ConfigException.class).hasMessageContaining("turns on geoip");
    }

    /** Tomorrow's key added to the key file: in force at its time, no restart; a broken file changes nothing. */
    @Test
    void readsThePseudonymKeysAgainWhenTheFileChanges() throws Exception {
        String today = "today 2026-12-07T00:00:00Z hex:" + "11".repeat(32) + "\n";
        Path keys = write("keys", today);
        ClientPrivacy privacy = ClientPrivacy.of("pseudonymize", 24, 56, keys);
        long tomorrow = java.time.Instant.parse("2026-12-08T00:00:01Z").getEpochSecond() * 1_000_000_000L;

        try (LiveShaping live = LiveShaping.start(Shaping.builder().privacy(privacy).build(), metrics)) {
            assertThat(privacy.local().select(tomorrow)).isEqualTo("today");

            rewrite(keys, today + "tomorrow 2026-12-08T00:00:00Z hex:" + "22".repeat(32) + "\n");
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(privacy.local().select(tomorrow)).isEqualTo("tomorrow");

            rewrite(keys, today + "tomorrow 2026-12-08T00:00:00Z hex:22\n");
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(privacy.local().select(tomorrow)).as("the keys in force stay").isEqualTo("tomorrow");
            assertThat(metrics.registry().get("dnstap.component.errors").tag("error.type", "privacy_key_file_refused")
                    .counter().count()).isEqualTo(1.0);
        }

        // A key added while the shaping file is broken is read all the same.
        Path shaping = write("shaping.properties", "sample-rate = 1\n");
        rewrite(keys, today);
        ClientPrivacy watched = ClientPrivacy.of("pseudonymize", 24, 56, keys);
        try (LiveShaping live = LiveShaping.start(Shaping.builder().privacy(watched).build().withLiveFile(shaping),
                metrics)) {
            rewrite(shaping, "sample-rate = often\n");
            rewrite(keys, today + "tomorrow 2026-12-08T00:00:00Z hex:" + "33".repeat(32) + "\n");
            live.reloadIfChanged();
            live.reloadIfChanged();
            assertThat(watched.local().select(tomorrow)).isEqualTo("tomorrow");
        }
    }

    /** A Public Suffix List of 150 made-up top-level domains and {@code extra}. */
    private static String suffixList(String extra) {
        StringBuilder list = new StringBuilder("// VERSION: test\n");
        for (int i = 0; i < 150; i++) {
            list.append("tld").append(i).append('\n');
        }
        return list.append(extra).append('\n').toString();
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    /** Rewrites a file with a later modification time, as an editor or a ConfigMap update would. */
    private static void rewrite(Path file, String content) throws Exception {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, content);
        Instant later = before.toInstant().plusSeconds(1);
        Files.setLastModifiedTime(file, FileTime.from(later.isAfter(Instant.now()) ? later : Instant.now()));
    }
}
