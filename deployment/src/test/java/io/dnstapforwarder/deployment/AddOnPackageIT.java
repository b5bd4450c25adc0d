package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The add-on as Splunkbase and AppInspect want a package, checked on the archive the build made
 * (after {@code package}): one top directory named for the app, the files an app must have, one
 * version everywhere, search-time settings only, and no file hidden, executable or writable by
 * others.
 */
class AddOnPackageIT {

    private static final Path ADD_ON = ROOT.resolve("splunk/TA-dnstap-forwarder");
    /** props.conf settings that act when data is indexed: a search-time add-on has none of them. */
    private static final Pattern INDEX_TIME = Pattern.compile("(?m)^(SHOULD_LINEMERGE|LINE_BREAKER|TRUNCATE|TIME_PREFIX|"
            + "TIME_FORMAT|MAX_TIMESTAMP_LOOKAHEAD|DATETIME_CONFIG|TZ|BREAK_ONLY_BEFORE|MUST_BREAK_AFTER|EVENT_BREAKER|"
            + "INDEXED_EXTRACTIONS|TRANSFORMS-\\w+|SEDCMD-\\w+|CHARSET|NO_BINARY_CHECK)\\s*=");

    private record Entry(String name, int mode) {
    }

    @Test
    void thePackageIsOneVersionedAppWithWhatAppInspectAsksAndNothingElse() throws Exception {
        String version = appConf().get("id").get("version");
        JsonNode manifest = new ObjectMapper().readTree(ADD_ON.resolve("app.manifest").toFile());
        assertThat(appConf().get("id").get("name")).isEqualTo("TA-dnstap-forwarder");
        assertThat(appConf().get("package").get("id")).isEqualTo("TA-dnstap-forwarder");
        assertThat(appConf().get("launcher").get("version")).isEqualTo(version);
        assertThat(manifest.at("/info/id/name").asText()).isEqualTo("TA-dnstap-forwarder");
        assertThat(manifest.at("/info/id/version").asText()).isEqualTo(version);
        assertThat(ADD_ON.resolve(manifest.at("/info/license/text").asText())).isRegularFile();
        assertThat(manifest.at("/targetWorkloads").toString()).isEqualTo("[\"_search_heads\"]");

        Path archive = ROOT.resolve("deployment/target/TA-dnstap-forwarder-" + version + ".tgz");
        assertThat(archive).as("built by the package phase, named with the app.conf version").isRegularFile();
        List<Entry> entries = entries(archive);
        List<String> names = entries.stream().map(Entry::name).toList();
        assertThat(names).allMatch(name -> name.startsWith("TA-dnstap-forwarder/"))
                .contains("TA-dnstap-forwarder/app.manifest", "TA-dnstap-forwarder/LICENSE", "TA-dnstap-forwarder/README.md",
                        "TA-dnstap-forwarder/default/app.conf", "TA-dnstap-forwarder/metadata/default.meta")
                .noneMatch(name -> name.matches(".*/\\.[^/]*/?$"));
        for (Entry entry : entries) {
            assertThat(entry.mode() & 0022).as(entry.name() + ": writable by group or others").isZero();
            if (!entry.name().endsWith("/")) {
                assertThat(entry.mode() & 0111).as(entry.name() + ": executable").isZero();
            }
        }
        try (var files = Files.walk(ADD_ON)) {
            long packaged = files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).count();
            assertThat(entries.stream().filter(e -> !e.name().endsWith("/")).count()).as("every file of the add-on").isEqualTo(packaged);
        }
    }

    @Test
    void itIsSearchTimeOnlyAndEveryLookupItNamesIsThere() throws Exception {
        String props = Files.readString(ADD_ON.resolve("default/props.conf"));
        assertThat(INDEX_TIME.matcher(props).find()).as("an index-time setting in props.conf").isFalse();
        String transforms = Files.readString(ADD_ON.resolve("default/transforms.conf"));
        Matcher lookup = Pattern.compile("(?m)^LOOKUP-\\w+\\s*=\\s*(\\w+)").matcher(props);
        int lookups = 0;
        while (lookup.find()) {
            lookups++;
            Matcher stanza = Pattern.compile("(?ms)^\\[" + lookup.group(1) + "]\\s*\\nfilename\\s*=\\s*(\\S+)").matcher(transforms);
            assertThat(stanza.find()).as("transforms.conf [" + lookup.group(1) + "]").isTrue();
            assertThat(ADD_ON.resolve("lookups").resolve(stanza.group(1))).isRegularFile();
        }
        assertThat(lookups).isEqualTo(2);
    }

    /** The archive's entries with their permission bits (ustar headers, read directly). */
    private static List<Entry> entries(Path archive) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            byte[] header = new byte[512];
            String longName = null;
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                int mode = Integer.parseInt(text(header, 100, 8).strip(), 8);
                long size = Long.parseLong(text(header, 124, 12).strip(), 8);
                byte type = header[156];
                byte[] data = in.readNBytes((int) ((size + 511) / 512 * 512));
                if (type == 'L') { // GNU long name: the next entry's name
                    longName = new String(data, 0, (int) size, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "");
                    continue;
                }
                String full = longName != null ? longName : prefix.isEmpty() ? name : prefix + "/" + name;
                longName = null;
                entries.add(new Entry(type == '5' && !full.endsWith("/") ? full + "/" : full, mode));
            }
        }
        return entries;
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Map<String, Map<String, String>> appConf() throws IOException {
        Map<String, Map<String, String>> stanzas = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : Files.readAllLines(ADD_ON.resolve("default/app.conf"))) {
            String text = line.strip();
            if (text.startsWith("[") && text.endsWith("]")) {
                current = new LinkedHashMap<>();
                stanzas.put(text.substring(1, text.length() - 1), current);
            } else if (current != null && text.contains("=") && !text.startsWith("#")) {
                current.put(text.substring(0, text.indexOf('=')).strip(), text.substring(text.indexOf('=') + 1).strip());
            }
        }
        return stanzas;
    }

    @Test
    void theBuildsVersionIsTheAddOnsOwn() throws Exception {
        Matcher property = Pattern.compile("<splunk.addon.version>([^<]+)</splunk.addon.version>")
                .matcher(Files.readString(ROOT.resolve("deployment/pom.xml")));
        assertThat(property.find()).isTrue();
        assertThat(property.group(1)).isEqualTo(appConf().get("id").get("version"));
        assertThat(Set.of(property.group(1))).allMatch(v -> v.matches("\\d+\\.\\d+\\.\\d+"));
    }
}
