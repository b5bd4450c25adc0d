package io.dnstapforwarder.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Makes every command-line option settable from the environment: {@code --kafka-bootstrap} is
 * also {@code DNSTAP_KAFKA_BOOTSTRAP}, or {@code DNSTAP_KAFKA_BOOTSTRAP_FILE} naming a file that
 * holds the value (the convention of Docker and Kubernetes secrets: a password need not sit in
 * the environment); and from a config file, where it is {@code kafka-bootstrap}.
 * A flag on the command line wins over the variable, the variable over the file, the file over the
 * built-in default. The names are derived, never written twice, so they cannot drift from the flag.
 */
public final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    public static final String PREFIX = "DNSTAP_";
    /** {@code DNSTAP_X_FILE}: the value of {@code DNSTAP_X} is in this file. */
    public static final String FILE_SUFFIX = "_FILE";

    /**
     * Variables that are not options: the launcher's ({@code DNSTAP_SKIP_BUILD}), logging's
     * (logback.xml), and the test suite's, which CI exports for every process the tests start.
     */
    private static final Set<String> NOT_OPTIONS = Set.of("DNSTAP_SKIP_BUILD", "DNSTAP_LOG_LEVEL", "DNSTAP_LOG_TARGET",
            "DNSTAP_REQUIRE_PEERS", "DNSTAP_TEST_KAFKA");

    /**
     * Settings of the Go dnstap-forwarder this project replaces that no option takes any more,
     * with what took their place: a user switching over reads why the variable does nothing.
     */
    static final Map<String, String> REPLACED_GO_SETTINGS = Map.of(
            "DNSTAP_BUFFER_SIZE", "Kafka is the buffer now; the collector's memory for frames not yet in Kafka is "
                    + "--publish-buffer-bytes (DNSTAP_PUBLISH_BUFFER_BYTES)",
            "DNSTAP_HEC_PERSISTENT_BUF", "events stay in Kafka until HEC accepted them, so there is no disk buffer to "
                    + "turn on; the topic's retention says how long an outage they survive",
            "DNSTAP_HEC_BUF_PATH", "there is no disk buffer: the Kafka topic (--kafka-topic, DNSTAP_KAFKA_TOPIC) keeps "
                    + "what HEC has not accepted",
            "DNSTAP_HEC_DLQ_PATH", "rejected events go to a Kafka topic (--dlq-topic, DNSTAP_DLQ_TOPIC), read and "
                    + "resent with `dnstap-forwarder dlq`");

    private final Map<String, String> environment;
    private final Map<String, String> file;

    public EnvironmentDefaults(Map<String, String> environment) {
        this(environment, Map.of());
    }

    /** @param file settings from a config file, by option name without dashes ({@code hec-url}) */
    public EnvironmentDefaults(Map<String, String> environment, Map<String, String> file) {
        this.environment = Map.copyOf(environment);
        this.file = Map.copyOf(file);
    }

    /** The key of an option in a config file: {@code --hec-url} gives {@code hec-url}. */
    public static String fileKeyFor(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    /** The environment variable for an option: {@code --hec-url} gives {@code DNSTAP_HEC_URL}. */
    public static String variableFor(OptionSpec option) {
        String name = option.longestName().replaceFirst("^-+", "");
        return PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /**
     * The value the environment gives an option, or {@code null}: its variable, else the content of
     * the file its {@code _FILE} variable names (without the trailing line break), unless another
     * option of the command has that variable ({@code DNSTAP_HEC_TOKEN_FILE} is
     * {@code --hec-token-file}'s).
     */
    public String environmentValue(OptionSpec option) {
        String variable = variableFor(option);
        String value = environment.get(variable);
        if (value != null && !value.isEmpty()) {
            return value;
        }
        String fileVariable = variable + FILE_SUFFIX;
        String file = environment.get(fileVariable);
        if (file == null || file.isEmpty() || (option.command() != null && isOptionVariable(option.command(), fileVariable))) {
            return null;
        }
        return readValueFile(fileVariable, Path.of(file), option);
    }

    private static boolean isOptionVariable(CommandSpec command, String variable) {
        return command.options().stream().anyMatch(other -> variableFor(other).equals(variable));
    }

    private static String readValueFile(String fileVariable, Path file, OptionSpec option) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).replaceFirst("(\\r?\\n)+$", "");
        } catch (IOException | UncheckedIOException e) {
            throw new ConfigException("Cannot read " + fileVariable + " (the value of " + option.longestName() + "): "
                    + file + ": " + e);
        }
    }

    /**
     * The {@code DNSTAP_*} variables set in the environment that no option of {@code command}
     * reads, sorted: a misspelt name, or one meant for another service.
     */
    public List<String> unusedBy(CommandSpec command) {
        Set<String> read = new java.util.HashSet<>(NOT_OPTIONS);
        command.options().forEach(option -> {
            read.add(variableFor(option));
            read.add(variableFor(option) + FILE_SUFFIX);
        });
        return environment.keySet().stream().filter(name -> name.startsWith(PREFIX) && !read.contains(name)
                && !REPLACED_GO_SETTINGS.containsKey(name)).sorted().toList();
    }

    /**
     * For each variable set in the environment that was a setting of the Go dnstap-forwarder and
     * is no option here, a line saying what replaced it, sorted by variable.
     */
    public List<String> replacedGoSettings() {
        return environment.keySet().stream().filter(REPLACED_GO_SETTINGS::containsKey).sorted()
                .map(name -> name + " (a setting of the Go dnstap-forwarder) does nothing here: "
                        + REPLACED_GO_SETTINGS.get(name)).toList();
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        if (argument instanceof OptionSpec option) {
            String value = environmentValue(option);
            if (value == null) {
                value = file.get(fileKeyFor(option));
            }
            return value != null ? value : option.defaultValue();
        }
        return argument.defaultValue();
    }
}
