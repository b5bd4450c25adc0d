package io.dnstapforwarder.shipper.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where each DNS server's events go in Splunk: the HEC metadata of an event (its {@code source},
 * {@code sourcetype}, {@code index} and indexed {@code fields}) chosen by its {@code host}, the DNS
 * server's identity. The options give the defaults ({@code --hec-source}, {@code --hec-sourcetype},
 * {@code --hec-index}, {@code --hec-field}); a routing file ({@code --hec-routing-file}) gives rules
 * by identity, the first that matches winning, and is read again when it changes: a file that
 * cannot be used leaves the rules in force.
 *
 * <pre>
 * # identity            what goes to Splunk for it
 * ns1.ams.example.net   index=dns_ams
 * *.fra.example.net     index=dns_fra sourcetype=dnstap:fra field.site=fra1
 * </pre>
 */
public final class HecRouting {

    /** The default source: the events' origin, the same for every DNS server unless routed. */
    public static final String DEFAULT_SOURCE = "dnstap";
    /**
     * Splunk's own fields of every event, and its internal ones: an indexed field of one of these
     * names would shadow or fight them at search time.
     */
    private static final Set<String> RESERVED_FIELDS = Set.of("time", "host", "source", "sourcetype", "index",
            "linecount", "punct", "splunk_server", "splunk_server_group", "timestartpos", "timeendpos", "eventtype",
            "tag");
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    /** Splunk's rule for index names: lower case letters, digits, underscores and hyphens, not first. */
    private static final Pattern INDEX_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Hosts a renderer remembers the metadata of; a flood of identities only costs lookups. */
    private static final int REMEMBERED_HOSTS = 1024;

    /**
     * What one event carries.
     *
     * @param index null for the token's default index
     * @param fields indexed fields, in the order given
     */
    public record Metadata(String source, String sourcetype, String index, Map<String, String> fields) {

        public Metadata {
            fields = fields.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        /**
         * Checks the values as Splunk would take them, naming {@code where} (an option, or a line of
         * the routing file) when one cannot be used.
         */
        Metadata checked(String where) {
            if (source == null || source.isBlank()) {
                throw new ConfigException(where + ": the source must not be empty");
            }
            if (sourcetype == null || sourcetype.isBlank()) {
                throw new ConfigException(where + ": the sourcetype must not be empty");
            }
            if (index != null && !INDEX_NAME.matcher(index).matches()) {
                throw new ConfigException(where + ": index '" + index + "' is not a Splunk index name (lower case "
                        + "letters, digits, _ and -, not first); HEC would refuse every event");
            }
            fields.forEach((name, value) -> {
                if (!FIELD_NAME.matcher(name).matches() || RESERVED_FIELDS.contains(name.toLowerCase(Locale.ROOT))) {
                    throw new ConfigException(where + ": '" + name + "' cannot be an indexed field's name (a letter, "
                            + "then letters, digits and _; not one of Splunk's own: " + new java.util.TreeSet<>(RESERVED_FIELDS)
                            + ")");
                }
                if (value.isEmpty()) {
                    throw new ConfigException(where + ": indexed field '" + name + "' has no value");
                }
            });
            return this;
        }
    }

    /** One line of the routing file: the identities it matches, and what it sets over the defaults. */
    private record Rule(Pattern identity, Metadata metadata) {
    }

    private final Metadata defaults;
    private final Path file;
    private volatile List<Rule> rules;

    private HecRouting(Metadata defaults, Path file) {
        this.defaults = defaults.checked("--hec-source, --hec-sourcetype, --hec-index, --hec-field");
        this.file = file;
        this.rules = file == null ? List.of() : read(file, this.defaults);
    }

    /**
     * The defaults and, when {@code file} is not null, its rules.
     *
     * @throws ConfigException when a default or the file cannot be used, naming the option or line
     */
    public static HecRouting of(Metadata defaults, Path file) {
        return new HecRouting(defaults, file);
    }

    /** Every event with the same metadata. */
    public static HecRouting fixed(String sourcetype, String index) {
        return new HecRouting(new Metadata(DEFAULT_SOURCE, sourcetype, index, Map.of()), null);
    }

    /** The routing file, or null. */
    public Path file() {
        return file;
    }

    /** Reads the routing file again; one that cannot be used throws and leaves the rules in force. */
    public void reload() {
        rules = read(file, defaults);
    }

    /** The defaults and how many rules are in force, for logs and /stats. */
    public String describe() {
        return "source " + defaults.source() + ", sourcetype " + defaults.sourcetype() + ", index "
                + (defaults.index() == null ? "the token's default" : defaults.index())
                + (defaults.fields().isEmpty() ? "" : ", fields " + defaults.fields())
                + (file == null ? "" : ", " + rules.size() + " rules by identity from " + file);
    }

    /** The metadata of the events of {@code host}. */
    public Metadata of(String host) {
        for (Rule rule : rules) {
            if (rule.identity().matcher(host).matches()) {
                return rule.metadata();
            }
        }
        return defaults;
    }

    /** A renderer's own view: each host's metadata as JSON text, written once. Not thread-safe. */
    Local local() {
        return new Local();
    }

    final class Local {
        private final JsonWriter scratch = new JsonWriter(256);
        /** Without rules every host has the defaults: no lookup at all (the usual case). */
        private final byte[] defaultFields = encode(defaults);
        /** By the host's JSON text, so that a host seen before costs a hash and no decoding. */
        private final Map<ByteBuffer, byte[]> byHost = new HashMap<>();
        private List<Rule> generation;
        private byte[] lastHost;
        private byte[] lastFields;

        /**
         * The fields {@code "source":…,"sourcetype":…[,"index":…][,"fields":{…}]} of the host
         * whose JSON string is {@code quotedHost}; the same array while the host repeats.
         */
        byte[] fields(byte[] quotedHost) {
            List<Rule> now = rules;
            if (now.isEmpty()) {
                return defaultFields;
            }
            if (quotedHost == lastHost && now == generation) {
                return lastFields;
            }
            if (now != generation || byHost.size() >= REMEMBERED_HOSTS) {
                byHost.clear();
                generation = now;
            }
            byte[] fields = byHost.get(ByteBuffer.wrap(quotedHost));
            if (fields == null) {
                fields = encode(of(unquote(quotedHost)));
                byHost.put(ByteBuffer.wrap(quotedHost.clone()), fields);
            }
            lastHost = quotedHost;
            lastFields = fields;
            return fields;
        }

        private byte[] encode(Metadata metadata) {
            scratch.reset();
            scratch.field(HecFields.SOURCE);
            scratch.string(metadata.source());
            scratch.field(HecFields.SOURCETYPE);
            scratch.string(metadata.sourcetype());
            if (metadata.index() != null) {
                scratch.field(HecFields.INDEX);
                scratch.string(metadata.index());
            }
            if (!metadata.fields().isEmpty()) {
                scratch.field(HecFields.FIELDS);
                scratch.startObject();
                metadata.fields().forEach((name, value) -> {
                    scratch.field(JsonWriter.key(name));
                    scratch.string(value);
                });
                scratch.endObject();
            }
            return scratch.toByteArray();
        }
    }

    private static String unquote(byte[] quoted) {
        try {
            return JSON.readValue(quoted, String.class);
        } catch (IOException e) {
            throw new IllegalStateException("not a JSON string: the renderer's own encoding", e);
        }
    }

    private static List<Rule> read(Path file, Metadata defaults) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw ConfigException.invalid("--hec-routing-file", file, "cannot be read: " + e.getMessage());
        }
        List<Rule> rules = new ArrayList<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "--hec-routing-file " + file + " line " + number;
            String[] words = line.split("\\s+");
            if (words.length < 2) {
                throw new ConfigException(where + ": an identity and at least one setting (index=NAME, sourcetype=NAME, "
                        + "source=NAME, field.NAME=VALUE) are needed");
            }
            rules.add(new Rule(identityPattern(words[0]), over(defaults, words, where).checked(where)));
        }
        return List.copyOf(rules);
    }

    /** The defaults with the line's settings over them; indexed fields join the default ones. */
    private static Metadata over(Metadata defaults, String[] words, String where) {
        String source = defaults.source();
        String sourcetype = defaults.sourcetype();
        String index = defaults.index();
        Map<String, String> fields = new LinkedHashMap<>(defaults.fields());
        for (int i = 1; i < words.length; i++) {
            int equals = words[i].indexOf('=');
            String key = equals < 0 ? words[i] : words[i].substring(0, equals);
            String value = equals < 0 ? "" : words[i].substring(equals + 1);
            if (value.isEmpty()) {
                throw new ConfigException(where + ": '" + words[i] + "' has no value (KEY=VALUE)");
            }
            switch (key) {
                case "source" -> source = value;
                case "sourcetype" -> sourcetype = value;
                case "index" -> index = value;
                default -> {
                    if (!key.startsWith("field.")) {
                        throw new ConfigException(where + ": unknown setting '" + key + "' (index, sourcetype, source, "
                                + "field.NAME)");
                    }
                    fields.put(key.substring("field.".length()), value);
                }
            }
        }
        return new Metadata(source, sourcetype, index, fields);
    }

    /** An identity, or a pattern of one where {@code *} stands for any characters; DNS names match without case. */
    private static Pattern identityPattern(String glob) {
        String[] parts = glob.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }
}
