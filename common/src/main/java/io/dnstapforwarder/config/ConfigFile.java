package io.dnstapforwarder.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The optional config file: Java properties, one {@code option-name = value} per line, the names
 * of the long options without their dashes ({@code hec-url = https://splunk:8088}). A key that is
 * no option of any command is an error, so that a typo cannot silently leave a default in place.
 */
final class ConfigFile {

    private static final String FLAG = "--config";

    private ConfigFile() {
    }

    /** The file named by {@code --config FILE}, {@code --config=FILE} or {@code DNSTAP_CONFIG}; null when none. */
    static Path locate(String[] args, Map<String, String> environment) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(FLAG) && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith(FLAG + "=")) {
                return Path.of(args[i].substring(FLAG.length() + 1));
            }
        }
        String variable = environment.get(EnvironmentDefaults.PREFIX + "CONFIG");
        return variable == null || variable.isBlank() ? null : Path.of(variable);
    }

    static Map<String, String> read(Path file) {
        if (file == null) {
            return Map.of();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("Cannot read the config file " + file + " (--config / DNSTAP_CONFIG): " + e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(key -> settings.put(key.trim(), properties.getProperty(key).trim()));
        return settings;
    }

    /** Every key must name an option of some command of the tree. */
    static void checkKeys(Map<String, String> settings, CommandLine root) {
        Set<String> known = new HashSet<>();
        collect(root, known);
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigException("Unknown setting(s) in the config file: " + unknown
                    + "; a setting is a long option without its dashes, e.g. hec-url");
        }
    }

    private static void collect(CommandLine command, Set<String> known) {
        for (OptionSpec option : command.getCommandSpec().options()) {
            known.add(EnvironmentDefaults.fileKeyFor(option));
        }
        command.getSubcommands().values().forEach(sub -> collect(sub, known));
    }
}
