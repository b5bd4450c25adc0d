package io.dnstapforwarder.config;

/**
 * Checks of configuration values, for the configuration records that validate themselves: each
 * failure is a {@link ConfigException} naming the option, its variable and the value, and nothing
 * is ever clamped into range.
 */
public final class Require {

    private Require() {
    }

    public static void atLeast(String option, long value, long minimum) {
        if (value < minimum) {
            throw ConfigException.invalid(option, value, "must be at least " + minimum);
        }
    }

    public static void between(String option, long value, long minimum, long maximum, String meaning) {
        if (value < minimum || value > maximum) {
            throw ConfigException.invalid(option, value, meaning);
        }
    }
}
