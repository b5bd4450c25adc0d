package io.dnstapforwarder.config;

/**
 * A configuration value that cannot work, found at start-up. The message names the option, its
 * environment variable and the value, so the operator knows exactly what to fix.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    /**
     * @param option the long option name, e.g. {@code --batch-size}
     * @param value the offending value as given
     * @param problem what is wrong, e.g. {@code "must be at least 1"}
     */
    public static ConfigException invalid(String option, Object value, String problem) {
        String variable = EnvironmentDefaults.PREFIX
                + option.replaceFirst("^-+", "").toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        return new ConfigException("Invalid value for " + option + " (" + variable + "): '" + value + "' " + problem);
    }
}
