package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.CHART;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every value of the chart is documented where users change it, in values.yaml (a comment on the
 * key, or on a mapping above it), and the chart README's value reference is generated from those
 * comments and defaults, so that it can never fall behind. To write the reference after changing
 * values.yaml: {@code ./mvnw -pl deployment test -Dtest=ChartValuesReferenceTest -Dchart.readme.write=true}.
 */
class ChartValuesReferenceTest {

    private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z][A-Za-z0-9_]*):(?: (.*))?$");
    private static final String BEGIN = "<!-- values: generated from values.yaml by ChartValuesReferenceTest -->";
    private static final String END = "<!-- values: end -->";

    /** A key of values.yaml: its dotted path, its own comment (or null), and whether it holds other keys. */
    private record Key(String path, String comment, boolean mapping) {
    }

    @Test
    void everyValueIsDocumentedInValuesYaml() throws IOException {
        List<Key> keys = keys();
        List<String> undocumented = new ArrayList<>();
        for (Key key : keys) {
            if (!key.mapping() && key.comment() == null && keys.stream().noneMatch(other -> other.comment() != null
                    && other.mapping() && key.path().startsWith(other.path() + "."))) {
                undocumented.add(key.path());
            }
        }
        assertThat(keys).hasSizeGreaterThan(90);
        assertThat(undocumented).as("values without a comment on them or on a mapping above them").isEmpty();
    }

    @Test
    void theReadmesValueReferenceIsTheOneValuesYamlGives() throws IOException {
        Path readme = CHART.resolve("README.md");
        String text = Files.readString(readme);
        String generated = BEGIN + "\n" + table() + END;
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertThat(begin).as("the README's generated section").isNotNegative();
        String current = text.substring(begin, end + END.length());
        if (Boolean.getBoolean("chart.readme.write")) {
            Files.writeString(readme, text.replace(current, generated));
            return;
        }
        assertThat(current).as("the chart README's value reference; write it with -Dchart.readme.write=true")
                .isEqualTo(generated);
    }

    /** A Markdown table: each documented key, its default as YAML's flow style would show it, its comment. */
    private static String table() throws IOException {
        JsonNode values = Repository.yaml(CHART.resolve("values.yaml"));
        StringBuilder table = new StringBuilder("| value | default | what |\n|---|---|---|\n");
        for (Key key : keys()) {
            if (key.comment() == null) {
                continue;
            }
            JsonNode value = values.at("/" + key.path().replace('.', '/'));
            String shown = value.isTextual() ? (value.asText().isEmpty() ? "\"\"" : value.asText()) : value.toString();
            table.append("| `").append(key.path()).append("` | `").append(shown.replace("|", "\\|")).append("` | ")
                    .append(key.comment().replace("|", "\\|").replace("<", "&lt;")).append(" |\n");
        }
        return table.toString();
    }

    /** The keys of values.yaml in file order, each with the comment block above it or after it on its line. */
    private static List<Key> keys() throws IOException {
        List<String> lines = Files.readAllLines(CHART.resolve("values.yaml"));
        List<Key> keys = new ArrayList<>();
        Deque<int[]> indents = new ArrayDeque<>(); // indent of each open mapping
        Deque<String> names = new ArrayDeque<>();
        List<String> comment = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String stripped = line.strip();
            if (stripped.isEmpty()) {
                comment.clear();
                continue;
            }
            if (stripped.startsWith("#")) {
                comment.add(stripped.replaceFirst("^#+ ?", ""));
                continue;
            }
            Matcher key = KEY.matcher(line);
            if (!key.matches()) {
                continue;
            }
            int indent = key.group(1).length();
            while (!indents.isEmpty() && indents.peek()[0] >= indent) {
                indents.pop();
                names.pop();
            }
            String rest = key.group(3) == null ? "" : key.group(3);
            String trailing = null;
            int quoted = rest.startsWith("\"") || rest.startsWith("'") ? rest.indexOf(rest.charAt(0), 1) : 0;
            int hash = rest.indexOf(" #", Math.max(quoted, 0));
            if (hash >= 0) {
                trailing = rest.substring(hash + 2).strip();
                rest = rest.substring(0, hash).strip();
            }
            List<String> path = new ArrayList<>(names);
            java.util.Collections.reverse(path);
            path.add(key.group(2));
            boolean mapping = rest.isEmpty();
            String text = !comment.isEmpty() ? String.join(" ", comment).replaceAll("\\s+", " ").strip() : trailing;
            keys.add(new Key(String.join(".", path), text, mapping));
            comment.clear();
            if (mapping) {
                indents.push(new int[] {indent});
                names.push(key.group(2));
            }
        }
        return keys;
    }
}
