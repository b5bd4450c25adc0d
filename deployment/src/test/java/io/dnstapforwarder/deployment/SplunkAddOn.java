package io.dnstapforwarder.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The add-on in {@code splunk/TA-dnstap-forwarder} as Splunk's search time applies it to one
 * event: {@code KV_MODE = json} (arrays named {@code field{}}, objects {@code a.b}), then
 * {@code FIELDALIAS}, {@code EVAL}, automatic {@code LOOKUP}, in Splunk's order; then the
 * eventtypes whose search matches and their tags. Only the constructs the add-on uses are
 * modelled, and anything else in its files fails the test: the add-on cannot grow beyond what is
 * checked here.
 */
final class SplunkAddOn {

    static final Path ROOT = Repository.ROOT.resolve("splunk/TA-dnstap-forwarder");
    private static final Pattern ALIAS = Pattern.compile("\"?([^\" ]+)\"? AS (\\w+)");
    private static final Pattern LOOKUP = Pattern.compile("(\\w+) (\\w+) AS (\\w+) OUTPUT (.+)");
    private static final Pattern CALL = Pattern.compile("(\\w+)\\((.*)\\)");

    private final Map<String, String> props;
    private final Map<String, Map<String, String>> transforms;
    private final Map<String, Map<String, String>> eventtypes;
    private final Map<String, Map<String, String>> tags;

    private SplunkAddOn(Map<String, Map<String, String>> props, Map<String, Map<String, String>> transforms,
            Map<String, Map<String, String>> eventtypes, Map<String, Map<String, String>> tags, String sourcetype) {
        this.props = props.get(sourcetype);
        this.transforms = transforms;
        this.eventtypes = eventtypes;
        this.tags = tags;
        if (this.props == null) {
            throw new IllegalStateException("props.conf has no [" + sourcetype + "] stanza");
        }
    }

    static SplunkAddOn load(String sourcetype) throws IOException {
        return new SplunkAddOn(conf("props.conf"), conf("transforms.conf"), conf("eventtypes.conf"), conf("tags.conf"),
                sourcetype);
    }

    /** The fields of one HEC event's {@code event} object after search-time processing; values are lists. */
    Map<String, List<String>> fields(JsonNode event, String host, String sourcetype) throws IOException {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        if (!"json".equals(props.get("KV_MODE"))) {
            throw new IllegalStateException("the model knows KV_MODE = json only");
        }
        flatten("", event, fields);
        fields.put("host", List.of(host));
        fields.put("sourcetype", List.of(sourcetype));
        for (Map.Entry<String, String> setting : props.entrySet()) {
            if (setting.getKey().startsWith("FIELDALIAS-")) {
                Matcher alias = ALIAS.matcher(setting.getValue());
                if (!alias.matches()) {
                    throw new IllegalStateException("cannot model " + setting);
                }
                if (fields.containsKey(alias.group(1))) {
                    fields.put(alias.group(2), fields.get(alias.group(1)));
                }
            }
        }
        Map<String, List<String>> evaluated = new LinkedHashMap<>();
        for (Map.Entry<String, String> setting : props.entrySet()) {
            if (setting.getKey().startsWith("EVAL-")) { // evals see the fields before any eval, as in Splunk
                List<String> value = evaluate(setting.getValue().strip(), fields);
                evaluated.put(setting.getKey().substring("EVAL-".length()), value);
            }
        }
        evaluated.forEach((name, value) -> {
            if (value == null) {
                fields.remove(name);
            } else {
                fields.put(name, value);
            }
        });
        for (Map.Entry<String, String> setting : props.entrySet()) {
            if (setting.getKey().startsWith("LOOKUP-")) {
                lookup(setting.getValue(), fields);
            }
        }
        for (String key : props.keySet()) {
            if (!key.startsWith("FIELDALIAS-") && !key.startsWith("EVAL-") && !key.startsWith("LOOKUP-")
                    && !List.of("KV_MODE", "AUTO_KV_JSON", "SHOULD_LINEMERGE", "TRUNCATE").contains(key)) {
                throw new IllegalStateException("props.conf sets " + key + ", which this model does not know");
            }
        }
        return fields;
    }

    /** The tags of the event: those of every eventtype whose search matches its fields. */
    List<String> tags(Map<String, List<String>> fields) {
        List<String> found = new ArrayList<>();
        for (String name : eventtypes(fields)) {
            tags.getOrDefault("eventtype=" + name, Map.of()).forEach((tag, state) -> {
                if (state.equals("enabled")) {
                    found.add(tag);
                }
            });
        }
        return found;
    }

    /** The eventtypes whose search matches the event's fields. */
    List<String> eventtypes(Map<String, List<String>> fields) {
        List<String> found = new ArrayList<>();
        eventtypes.forEach((name, settings) -> {
            if (matches(settings.get("search"), fields)) {
                found.add(name);
            }
        });
        return found;
    }

    /**
     * A search of terms {@code field=value} ({@code field=*}: the field has a value), all required,
     * each alone or an OR of them in parentheses.
     */
    private static boolean matches(String search, Map<String, List<String>> fields) {
        Matcher term = Pattern.compile("\\(([^)]*)\\)|(\\S+)").matcher(search);
        while (term.find()) {
            String text = term.group(1) != null ? term.group(1) : term.group(2);
            boolean any = false;
            for (String alternative : text.split(" OR ")) {
                String[] pair = alternative.strip().split("=", 2);
                if (pair.length != 2) {
                    throw new IllegalStateException("cannot model the search term " + alternative);
                }
                List<String> values = fields.getOrDefault(pair[0], List.of());
                any |= pair[1].equals("*") ? !values.isEmpty() : values.contains(pair[1]);
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private void lookup(String setting, Map<String, List<String>> fields) throws IOException {
        Matcher lookup = LOOKUP.matcher(setting.strip());
        if (!lookup.matches()) {
            throw new IllegalStateException("cannot model LOOKUP " + setting);
        }
        Map<String, String> transform = transforms.get(lookup.group(1));
        List<String> eventValue = fields.get(lookup.group(3));
        if (eventValue == null || eventValue.isEmpty()) {
            return;
        }
        boolean caseSensitive = !"false".equals(transform.getOrDefault("case_sensitive_match", "true"));
        List<String> lines = Files.readAllLines(ROOT.resolve("lookups").resolve(transform.get("filename")),
                StandardCharsets.UTF_8);
        List<String> header = List.of(lines.get(0).split(","));
        int key = header.indexOf(lookup.group(2));
        for (String line : lines.subList(1, lines.size())) {
            String[] row = line.split(",");
            String value = eventValue.get(0);
            if (caseSensitive ? row[key].equals(value) : row[key].equalsIgnoreCase(value)) {
                String[] outputs = lookup.group(4).split(" (?=\\w+ AS )");
                for (String output : outputs) {
                    String[] pair = output.strip().split(" AS ");
                    fields.put(pair[1].strip(), List.of(row[header.indexOf(pair[0].strip())]));
                }
                return;
            }
        }
    }

    /** The few eval functions the add-on uses; null is Splunk's null. */
    private static List<String> evaluate(String expression, Map<String, List<String>> fields) {
        if (expression.startsWith("\"") && expression.endsWith("\"")) {
            return List.of(expression.substring(1, expression.length() - 1));
        }
        if (expression.matches("-?\\d+")) {
            return List.of(expression);
        }
        if (expression.matches("\\w+")) {
            return fields.get(expression);
        }
        if (expression.matches("'[^']+'")) { // a field name with other characters, quoted
            return fields.get(expression.substring(1, expression.length() - 1));
        }
        Matcher call = CALL.matcher(expression);
        if (!call.matches()) {
            throw new IllegalStateException("cannot model the eval " + expression);
        }
        List<String> arguments = splitArguments(call.group(2));
        switch (call.group(1)) {
            case "coalesce" -> {
                for (String argument : arguments) {
                    List<String> value = evaluate(argument, fields);
                    if (value != null && !value.isEmpty()) {
                        return value;
                    }
                }
                return null;
            }
            case "mvcount" -> {
                List<String> value = evaluate(arguments.get(0), fields);
                return value == null ? null : List.of(Integer.toString(value.size()));
            }
            case "lower" -> {
                List<String> value = evaluate(arguments.get(0), fields);
                return value == null ? null : value.stream().map(v -> v.toLowerCase(java.util.Locale.ROOT)).toList();
            }
            case "replace" -> { // PCRE; the add-on's patterns mean the same in Java's regular expressions
                List<String> value = evaluate(arguments.get(0), fields);
                String pattern = evaluate(arguments.get(1), fields).get(0);
                String replacement = evaluate(arguments.get(2), fields).get(0);
                return value == null ? null : value.stream().map(v -> v.replaceAll(pattern, replacement)).toList();
            }
            default -> throw new IllegalStateException("cannot model the eval function " + call.group(1));
        }
    }

    private static List<String> splitArguments(String text) {
        List<String> arguments = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        StringBuilder current = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                arguments.add(current.toString().strip());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        arguments.add(current.toString().strip());
        return arguments;
    }

    /** KV_MODE = json: nested keys joined by dots, arrays as {@code name{}} with every element a value. */
    private static void flatten(String prefix, JsonNode node, Map<String, List<String>> fields) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), fields);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                flatten(prefix + "{}", element, fields);
            }
        } else if (!node.isNull()) {
            fields.computeIfAbsent(prefix, key -> new ArrayList<>()).add(node.asText());
        }
    }

    /** A .conf file of the add-on's default/: stanza to settings, in file order. */
    private static Map<String, Map<String, String>> conf(String name) throws IOException {
        Map<String, Map<String, String>> stanzas = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : Files.readAllLines(ROOT.resolve("default").resolve(name), StandardCharsets.UTF_8)) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            if (text.startsWith("[") && text.endsWith("]")) {
                current = new LinkedHashMap<>();
                stanzas.put(text.substring(1, text.length() - 1), current);
            } else if (current != null && text.contains("=")) {
                int equals = text.indexOf('=');
                current.put(text.substring(0, equals).strip(), text.substring(equals + 1).strip());
            } else {
                throw new IllegalStateException(name + ": cannot read " + line);
            }
        }
        return stanzas;
    }
}
