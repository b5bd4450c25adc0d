package io.dnstapforwarder.config;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE}: settings from a properties file. {@link Cli#execute} reads it before the
 * command line is parsed; this declaration makes the flag legal and documents it.
 */
public final class ConfigFileOption {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read settings from a properties file: one 'option-name = value' per line, e.g. "
                    + "'hec-url = https://splunk:8088'. Flags and DNSTAP_* variables win over it.")
    private Path file;
}
