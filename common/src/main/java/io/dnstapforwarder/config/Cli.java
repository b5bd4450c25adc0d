package io.dnstapforwarder.config;

import io.dnstapforwarder.kafka.KafkaRefusal;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Builds the command line of every dnstap-forwarder command the same way: options default from
 * {@code DNSTAP_*} environment variables, {@code --help} shows each option's variable, and a bad
 * value stops start-up with exit code 2 and a message naming the option and its variable.
 */
public final class Cli {

    /** Exit code for a usage or configuration error. */
    public static final int EXIT_USAGE = 2;
    /** The command ran and could not do its work (Kafka refused it, say). */
    public static final int EXIT_SOFTWARE = 1;

    private static final String MASK = "********";

    private Cli() {
    }

    public static CommandLine create(Object command, Map<String, String> environment) {
        return create(command, environment, Map.of());
    }

    /** A command line whose defaults come from the environment, then from config-file settings. */
    public static CommandLine create(Object command, Map<String, String> environment, Map<String, String> fileSettings) {
        CommandLine commandLine = new CommandLine(command);
        EnvironmentDefaults defaults = new EnvironmentDefaults(environment, fileSettings);
        configure(commandLine, defaults);
        commandLine.setParameterExceptionHandler((ex, args) -> reportParameterError(ex, args, defaults));
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) -> {
            if (ex instanceof ConfigException) {
                cl.getErr().println(cl.getColorScheme().errorText(ex.getMessage()));
                return EXIT_USAGE;
            }
            String refusal = KafkaRefusal.explain(ex, bootstrapOf(cl));
            if (refusal != null) { // a tool (tap, dlq, replay) Kafka will not serve: one line, not a stack trace
                cl.getErr().println(cl.getColorScheme().errorText("Cannot run: " + refusal));
                return EXIT_SOFTWARE;
            }
            throw ex;
        });
        return commandLine;
    }

    /** The --kafka-bootstrap the command was given, for messages; "Kafka" when it has none. */
    private static String bootstrapOf(CommandLine cl) {
        for (CommandLine command = cl; command != null; command = command.getParent()) {
            OptionSpec bootstrap = command.getCommandSpec().findOption("--kafka-bootstrap");
            if (bootstrap != null && bootstrap.getValue() != null) {
                return bootstrap.getValue().toString();
            }
        }
        return "(--kafka-bootstrap)";
    }

    /**
     * Runs a command as {@code main} does: reads the config file named by {@code --config} or
     * {@code DNSTAP_CONFIG}, if any, then parses and executes. Returns the exit code.
     */
    public static int execute(Object command, Map<String, String> environment, String... args) {
        return execute(command, environment, new PrintWriter(System.err, true), args);
    }

    static int execute(Object command, Map<String, String> environment, PrintWriter err, String... args) {
        Map<String, String> settings;
        try {
            settings = ConfigFile.read(ConfigFile.locate(args, environment));
            if (!settings.isEmpty()) {
                ConfigFile.checkKeys(settings, new CommandLine(command));
            }
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return EXIT_USAGE;
        }
        CommandLine commandLine = create(command, environment, settings);
        commandLine.setErr(err);
        return commandLine.execute(args);
    }

    /** Starts a service. */
    @FunctionalInterface
    public interface ServiceStarter {
        AutoCloseable start() throws Exception;
    }

    /**
     * What every service command does once its configuration is valid: log the effective
     * configuration, start, run until SIGTERM or SIGINT, stop. Returns the exit code.
     */
    public static int runService(String name, CommandSpec spec, ServiceStarter starter) throws Exception {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Cli.class);
        log.info("{} configuration: {}", name, effectiveOptions(spec));
        if (spec.defaultValueProvider() instanceof EnvironmentDefaults defaults) {
            List<String> unused = defaults.unusedBy(spec);
            if (!unused.isEmpty()) {
                log.warn("Ignoring environment variables that are no option of {}: {} (misspelt, or meant for another "
                        + "service? --help lists the options)", name, unused);
            }
            defaults.replacedGoSettings().forEach(log::warn);
        }
        io.dnstapforwarder.ops.Lifecycle.runUntilStopped(name, starter.start());
        return 0;
    }

    /**
     * The options as a command sees them, sorted by name, secrets masked: what to log at start so
     * the effective configuration is on record.
     */
    public static Map<String, String> effectiveOptions(CommandSpec spec) {
        Map<String, String> options = new TreeMap<>();
        for (OptionSpec option : spec.options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            Object value = option.getValue();
            String shown = value == null ? "" : isSecretOption(option.longestName()) ? MASK
                    : value instanceof Object[] values ? String.join(",", java.util.Arrays.stream(values).map(String::valueOf).toList())
                    : value instanceof Map<?, ?> map ? maskedEntries(map)
                    : String.valueOf(value);
            options.put(option.longestName(), shown);
        }
        return options;
    }

    /** Whether an option's name says its value is a credential ({@code --hec-token}), which is then never logged. */
    static boolean isSecretOption(String name) {
        return name.contains("token") || name.contains("password") || name.contains("secret");
    }

    /**
     * Whether a Kafka property's name says its value may be a credential ({@code ssl.key.password},
     * {@code sasl.jaas.config}, {@code ssl.keystore.key}): then it is never logged. Broad on
     * purpose: a masked location costs a look at the configuration, a logged password a rotation.
     */
    static boolean isSecretProperty(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("password") || lower.contains("secret") || lower.contains("key") || lower.contains("jaas")
                || lower.contains("token") || lower.contains("credential");
    }

    /** A map option (--kafka-property) as {key=value, ...}, the values of credentials masked. */
    private static String maskedEntries(Map<?, ?> map) {
        Map<String, String> shown = new java.util.LinkedHashMap<>();
        map.forEach((key, entry) -> shown.put(String.valueOf(key), isSecretProperty(String.valueOf(key)) ? MASK
                : String.valueOf(entry)));
        return shown.toString();
    }

    private static void configure(CommandLine commandLine, EnvironmentDefaults defaults) {
        CommandSpec spec = commandLine.getCommandSpec();
        spec.defaultValueProvider(defaults);
        // Rebuild each option with its environment variable in the help text, keeping the order.
        List<OptionSpec> options = new ArrayList<>(spec.options());
        for (OptionSpec option : options) {
            spec.remove(option);
        }
        for (OptionSpec option : options) {
            if (option.usageHelp() || option.versionHelp()) {
                spec.addOption(option);
                continue;
            }
            List<String> description = new ArrayList<>(List.of(option.description()));
            description.add("Env: " + EnvironmentDefaults.variableFor(option) + ".");
            spec.addOption(option.toBuilder().description(description.toArray(String[]::new)).build());
        }
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            configure(sub, defaults);
        }
    }

    private static int reportParameterError(ParameterException ex, String[] args, EnvironmentDefaults defaults) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        if (ex.getCause() instanceof ConfigException config) { // a DNSTAP_*_FILE that cannot be read
            err.println(cl.getColorScheme().errorText(config.getMessage()));
            return EXIT_USAGE;
        }
        if (ex instanceof UnmatchedArgumentException unmatched) {
            err.println(cl.getColorScheme().errorText(unknownArguments(unmatched.getUnmatched())));
            UnmatchedArgumentException.printSuggestions(unmatched, err);
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
            return EXIT_USAGE;
        }
        String message = ex.getMessage();
        if (ex.getArgSpec() instanceof OptionSpec option && !givenOnCommandLine(args, option)
                && defaults.environmentValue(option) != null) {
            message += " (from environment variable " + EnvironmentDefaults.variableFor(option) + ")";
        }
        err.println(cl.getColorScheme().errorText(message));
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
        return EXIT_USAGE;
    }

    /**
     * Names the unknown options, never their values nor any other argument: {@code --hec-tokn=SECRET}
     * or {@code --hec-tokn SECRET} is a token with a typo, and error output ends up in logs.
     */
    static String unknownArguments(java.util.List<String> unmatched) {
        java.util.List<String> options = new java.util.ArrayList<>();
        int others = 0;
        for (String argument : unmatched) {
            if (argument.startsWith("-") && argument.length() > 1) {
                int value = argument.indexOf('=');
                options.add(value < 0 ? argument : argument.substring(0, value) + "=...");
            } else {
                others++;
            }
        }
        StringBuilder message = new StringBuilder();
        if (!options.isEmpty()) {
            message.append(options.size() == 1 ? "Unknown option: " : "Unknown options: ").append(String.join(", ", options));
        }
        if (others > 0) {
            message.append(message.length() == 0 ? "" : "; ").append(others).append(others == 1 ? " argument" : " arguments")
                    .append(" that no option takes (not shown: it may be a secret)");
        }
        return message.toString();
    }

    private static boolean givenOnCommandLine(String[] args, OptionSpec option) {
        for (String arg : args) {
            for (String name : option.names()) {
                if (arg.equals(name) || arg.startsWith(name + "=")) {
                    return true;
                }
            }
        }
        return false;
    }
}
