package io.dnstapforwarder.shipper.shape;

import io.dnstapforwarder.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Reads {@code --shaping-file}: a properties file whose keys are the long names of
 * {@link ShapingRuleOptions} without their dashes ({@code event-profile = cim}), each value parsed
 * by that same option, so that the file and the command line can never read a setting two ways.
 * A setting the file does not give keeps the value of the options.
 */
final class ShapingFile {

    @Command(name = "shaping-file")
    static final class Settings {
        @Mixin
        ShapingRuleOptions rules;
    }

    private ShapingFile() {
    }

    /** {@code base} with the file's settings over it. */
    static Shaping read(Path file, Shaping base) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw ConfigException.invalid("--shaping-file", file, "cannot be read: " + e);
        }
        Settings settings = new Settings();
        CommandLine command = new CommandLine(settings);
        Set<String> known = command.getCommandSpec().options().stream().map(option -> option.longestName().substring(2))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> unknown = new TreeSet<>(properties.stringPropertyNames());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw ConfigException.invalid("--shaping-file", file, "has settings that are no shaping option: " + unknown
                    + " (known: " + known + ")");
        }
        List<String> args = new ArrayList<>();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            args.add("--" + key + "=" + properties.getProperty(key).strip());
        }
        CommandLine.ParseResult parsed;
        try {
            parsed = command.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw refused(file, properties, e);
        }
        return settings.rules.over(base, key -> parsed.hasMatchedOption("--" + key));
    }

    /** Says which setting the file gets wrong, as its line reads: {@code says sample-rate = often, not a number}. */
    private static ConfigException refused(Path file, Properties properties, CommandLine.ParameterException e) {
        if (!(e.getArgSpec() instanceof OptionSpec option)) {
            return ConfigException.invalid("--shaping-file", file, "cannot be used: " + e.getMessage());
        }
        String key = option.longestName().substring(2);
        Class<?> type = option.type();
        String why = type == boolean.class || type == Boolean.class ? "not true or false"
                : type == int.class || type == Integer.class ? "not a number" : e.getMessage();
        return ConfigException.invalid("--shaping-file", file, "says " + key + " = " + properties.getProperty(key) + ", "
                + why);
    }
}
