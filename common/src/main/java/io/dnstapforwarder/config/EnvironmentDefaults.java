package io.dnstapforwarder.config;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Makes every command-line option settable from the environment: {@code --kafka-bootstrap} is
 * also {@code DNSTAP_KAFKA_BOOTSTRAP}. A flag on the command line wins over the variable, the
 * variable over the built-in default. The name is derived, never written twice, so it cannot
 * drift from the flag.
 */
public final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    public static final String PREFIX = "DNSTAP_";

    private final Map<String, String> environment;

    public EnvironmentDefaults(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** The environment variable for an option: {@code --hec-url} gives {@code DNSTAP_HEC_URL}. */
    public static String variableFor(OptionSpec option) {
        String name = option.longestName().replaceFirst("^-+", "");
        return PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The value the environment gives an option, or {@code null}. */
    public String environmentValue(OptionSpec option) {
        String value = environment.get(variableFor(option));
        return value == null || value.isEmpty() ? null : value;
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        if (argument instanceof OptionSpec option) {
            String value = environmentValue(option);
            return value != null ? value : option.defaultValue();
        }
        return argument.defaultValue();
    }
}
