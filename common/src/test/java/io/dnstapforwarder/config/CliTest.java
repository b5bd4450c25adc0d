package io.dnstapforwarder.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class CliTest {

    static class SharedOptions {
        @Option(names = "--kafka-topic", defaultValue = "dnstap.events", description = "Topic.")
        String topic;
    }

    @Command(name = "demo", mixinStandardHelpOptions = true)
    static class Demo implements Callable<Integer> {
        @Option(names = "--batch-size", defaultValue = "100", description = "Events per batch.")
        int batchSize;

        @Option(names = "--hec-token", description = "Token.")
        String token;

        @Mixin
        SharedOptions shared;

        @Mixin
        ConfigFileOption configFile;

        @Override
        public Integer call() {
            if (batchSize < 1) {
                throw ConfigException.invalid("--batch-size", batchSize, "must be at least 1");
            }
            return 0;
        }
    }

    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    @Test
    void takesAnOptionFromItsEnvironmentVariable() {
        Demo demo = run(Map.of("DNSTAP_BATCH_SIZE", "7", "DNSTAP_KAFKA_TOPIC", "mine"));

        assertThat(demo.batchSize).isEqualTo(7);
        assertThat(demo.shared.topic).isEqualTo("mine");
    }

    @Test
    void letsAFlagWinOverTheEnvironment() {
        Demo demo = run(Map.of("DNSTAP_BATCH_SIZE", "7"), "--batch-size", "9");

        assertThat(demo.batchSize).isEqualTo(9);
    }

    @Test
    void fallsBackToTheBuiltInDefault() {
        Demo demo = run(Map.of());

        assertThat(demo.batchSize).isEqualTo(100);
        assertThat(demo.shared.topic).isEqualTo("dnstap.events");
    }

    @Test
    void namesEachOptionsVariableInTheHelp() {
        CommandLine cl = commandLine(new Demo(), Map.of());
        cl.execute("--help");

        assertThat(out.toString())
                .contains("Events per batch.", "Env: DNSTAP_BATCH_SIZE.")
                .contains("Env: DNSTAP_KAFKA_TOPIC.")
                .doesNotContain("DNSTAP_HELP");
    }

    @Test
    void stopsWithTheVariableNamedWhenItsValueIsBad() {
        int exit = commandLine(new Demo(), Map.of("DNSTAP_BATCH_SIZE", "lots")).execute();

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).startsWith("Invalid value for option '--batch-size': 'lots' is not an int "
                + "(from environment variable DNSTAP_BATCH_SIZE)");
    }

    @Test
    void stopsWithoutBlamingTheEnvironmentWhenTheFlagIsBad() {
        int exit = commandLine(new Demo(), Map.of("DNSTAP_BATCH_SIZE", "5")).execute("--batch-size", "lots");

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).startsWith("Invalid value for option '--batch-size': 'lots' is not an int\n");
    }

    @Test
    void namesAnUnknownOptionButNeverEchoesItsValueOrAnyStrayArgument() {
        int attached = commandLine(new Demo(), Map.of()).execute("--hec-tokn=SECRET-1");
        int apart = commandLine(new Demo(), Map.of()).execute("--hec-tokn", "SECRET-2");

        assertThat(attached).isEqualTo(Cli.EXIT_USAGE);
        assertThat(apart).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).doesNotContain("SECRET").startsWith("Unknown option: --hec-tokn=...\n")
                .contains("Unknown option: --hec-tokn; 1 argument that no option takes (not shown: it may be a secret)")
                .contains("--hec-token");
    }

    @Test
    void stopsWithExitCode2AndTheMessageOnAConfigurationError() {
        int exit = commandLine(new Demo(), Map.of()).execute("--batch-size", "0");

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).isEqualTo("Invalid value for --batch-size (DNSTAP_BATCH_SIZE): '0' must be at least 1\n");
    }

    @Test
    void namesTheDnstapVariablesNoOptionReads() {
        CommandLine cl = commandLine(new Demo(), Map.of("DNSTAP_BATCH_SIZE", "5", "DNSTAP_BATCH_SIZ", "5",
                "DNSTAP_HEC_URL", "http://splunk:8088", "DNSTAP_CONFIG", "", "DNSTAP_LOG_LEVEL", "debug", "PATH", "/bin"));

        assertThat(((EnvironmentDefaults) cl.getCommandSpec().defaultValueProvider()).unusedBy(cl.getCommandSpec()))
                .containsExactly("DNSTAP_BATCH_SIZ", "DNSTAP_HEC_URL");
    }

    @Test
    void explainsEachGoForwarderSettingThatNothingReadsInsteadOfCallingItUnknown() {
        EnvironmentDefaults defaults = new EnvironmentDefaults(Map.of("DNSTAP_HEC_DLQ_PATH", "/var/dlq",
                "DNSTAP_BUFFER_SIZE", "10000", "DNSTAP_BATCH_SIZ", "5"));
        CommandLine cl = commandLine(new Demo(), Map.of());

        assertThat(defaults.unusedBy(cl.getCommandSpec())).containsExactly("DNSTAP_BATCH_SIZ");
        assertThat(defaults.replacedGoSettings()).hasSize(2);
        assertThat(defaults.replacedGoSettings().get(0)).startsWith("DNSTAP_BUFFER_SIZE (a setting of the Go "
                + "dnstap-forwarder) does nothing here: ").contains("--publish-buffer-bytes");
        assertThat(defaults.replacedGoSettings().get(1)).startsWith("DNSTAP_HEC_DLQ_PATH").contains("--dlq-topic");
    }

    /** The options every service shares. */
    @Command(name = "service")
    static class ServiceOptions implements Callable<Integer> {
        @Mixin
        MonitoringOptions monitoring;

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            return 0;
        }
    }

    @Test
    void takesBooleanOptionsAsBareFlagsAndAsTrueOrFalseAsTheGoForwarderDid() {
        assertThat(monitoringOf(Map.of()).endpoint("0.0.0.0", 8080)).isNotNull();
        assertThat(monitoringOf(Map.of(), "--enable-monitoring=false").endpoint("0.0.0.0", 8080)).isNull();
        assertThat(monitoringOf(Map.of(), "--enable-monitoring", "false").endpoint("0.0.0.0", 8080)).isNull();
        assertThat(monitoringOf(Map.of("DNSTAP_ENABLE_MONITORING", "false")).endpoint("0.0.0.0", 8080)).isNull();
        assertThat(monitoringOf(Map.of("DNSTAP_ENABLE_MONITORING", "false"), "--enable-monitoring")
                .endpoint("0.0.0.0", 8080)).as("the bare flag wins over the variable").isNotNull();
    }

    @Test
    void takesPerformanceLoggingAsSecondsTrueFalseOrABareFlag() {
        java.time.Duration fallback = java.time.Duration.ofSeconds(MonitoringOptions.DEFAULT_PERFORMANCE_LOG_SECONDS);
        assertThat(monitoringOf(Map.of()).performanceLogInterval()).isZero();
        assertThat(monitoringOf(Map.of(), "--performance-logging").performanceLogInterval()).isEqualTo(fallback);
        assertThat(monitoringOf(Map.of("DNSTAP_PERFORMANCE_LOGGING", "true")).performanceLogInterval()).isEqualTo(fallback);
        assertThat(monitoringOf(Map.of("DNSTAP_PERFORMANCE_LOGGING", "false")).performanceLogInterval()).isZero();
        assertThat(monitoringOf(Map.of(), "--performance-logging=15").performanceLogInterval()).hasSeconds(15);
        assertThatThrownByConfig(() -> monitoringOf(Map.of("DNSTAP_PERFORMANCE_LOGGING", "often")).performanceLogInterval(),
                "Invalid value for --performance-logging (DNSTAP_PERFORMANCE_LOGGING): 'often' must be a number of "
                        + "seconds, true or false");
    }

    private MonitoringOptions monitoringOf(Map<String, String> environment, String... args) {
        ServiceOptions command = new ServiceOptions();
        assertThat(commandLine(command, environment).execute(args)).as(err.toString()).isZero();
        return command.monitoring;
    }

    private static void assertThatThrownByConfig(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        org.assertj.core.api.Assertions.assertThatThrownBy(call).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void keepsKafkaPropertyValuesWithCommasWholeAndNeverLogsCredentials() {
        ServiceOptions command = new ServiceOptions();
        CommandLine cl = commandLine(command, Map.of("DNSTAP_KAFKA_PROPERTY",
                "ssl.enabled.protocols=TLSv1.2,TLSv1.3,security.protocol=SASL_SSL"));
        assertThat(cl.execute("--kafka-property", "sasl.jaas.config=org.apache.kafka.common.security.scram."
                + "ScramLoginModule required username=\"u\" password=\"p4ss,w0rd\";",
                "--kafka-property", "ssl.key.password=k3y,ssl.truststore.location=/etc/kafka/trust.p12")).isZero();

        assertThat(command.kafka.properties()).containsEntry("ssl.key.password", "k3y")
                .containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"u\" password=\"p4ss,w0rd\";");
        CommandLine fromEnvironment = commandLine(new ServiceOptions(), Map.of("DNSTAP_KAFKA_PROPERTY",
                "ssl.enabled.protocols=TLSv1.2,TLSv1.3,security.protocol=SASL_SSL"));
        fromEnvironment.execute();
        assertThat(((ServiceOptions) fromEnvironment.getCommand()).kafka.properties())
                .containsEntry("ssl.enabled.protocols", "TLSv1.2,TLSv1.3").containsEntry("security.protocol", "SASL_SSL");
        String logged = Cli.effectiveOptions(cl.getCommandSpec()).get("--kafka-property");
        assertThat(logged).contains("ssl.truststore.location=/etc/kafka/trust.p12", "sasl.jaas.config=********",
                "ssl.key.password=********").doesNotContain("p4ss", "k3y");
    }

    @Test
    void takesAValueFromTheFileItsFileVariableNamesAsDockerAndKubernetesSecretsAreMounted(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path token = dir.resolve("hec-token");
        java.nio.file.Files.writeString(token, "s3cr3t-from-a-secret\n");

        Demo demo = run(Map.of("DNSTAP_HEC_TOKEN_FILE", token.toString(), "DNSTAP_BATCH_SIZE_FILE", write(dir, "8")));
        Demo variableWins = run(Map.of("DNSTAP_HEC_TOKEN_FILE", token.toString(), "DNSTAP_HEC_TOKEN", "direct"));

        assertThat(demo.token).isEqualTo("s3cr3t-from-a-secret");
        assertThat(demo.batchSize).isEqualTo(8);
        assertThat(variableWins.token).isEqualTo("direct");
        CommandLine cl = commandLine(new Demo(), Map.of("DNSTAP_HEC_TOKEN_FILE", token.toString()));
        assertThat(((EnvironmentDefaults) cl.getCommandSpec().defaultValueProvider()).unusedBy(cl.getCommandSpec()))
                .isEmpty();
        assertThat(Cli.effectiveOptions(run(cl)).get("--hec-token")).isEqualTo("********");
    }

    @Test
    void stopsNamingTheFileVariableWhoseFileCannotBeRead() {
        int exit = Cli.execute(new Demo(), Map.of("DNSTAP_HEC_TOKEN_FILE", "/nonexistent/token"), new PrintWriter(err, true));

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).startsWith("Cannot read DNSTAP_HEC_TOKEN_FILE (the value of --hec-token): "
                + "/nonexistent/token: java.nio.file.NoSuchFileException");
    }

    @Test
    void leavesAFileVariableToTheOptionWhoseOwnVariableItIs() {
        WithTokenFile command = new WithTokenFile();
        assertThat(commandLine(command, Map.of("DNSTAP_HEC_TOKEN_FILE", "/run/secrets/token")).execute()).isZero();

        assertThat(command.tokenFile).isEqualTo("/run/secrets/token");
        assertThat(command.token).as("not read from the file: --hec-token-file does that").isNull();
    }

    @Command(name = "with-token-file")
    static class WithTokenFile implements Callable<Integer> {
        @Option(names = "--hec-token")
        String token;

        @Option(names = "--hec-token-file")
        String tokenFile;

        @Override
        public Integer call() {
            return 0;
        }
    }

    @Test
    void readsKafkaPropertiesFromAClientPropertiesFileWithFlagsOverIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("client.properties");
        java.nio.file.Files.writeString(file, "# as for kafka-console-consumer --consumer.config\n"
                + "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
                + "    username=\"dnstap\" password=\"p4ss,w0rd\";\n"
                + "ssl.enabled.protocols=TLSv1.2,TLSv1.3\n");
        ServiceOptions command = new ServiceOptions();
        CommandLine cl = commandLine(command, Map.of("DNSTAP_KAFKA_PROPERTIES_FILE", file.toString()));

        assertThat(cl.execute("--kafka-property", "sasl.mechanism=PLAIN")).isZero();

        assertThat(command.kafka.properties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("ssl.enabled.protocols", "TLSv1.2,TLSv1.3")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"dnstap\" password=\"p4ss,w0rd\";");
        assertThat(Cli.effectiveOptions(cl.getCommandSpec()).toString()).doesNotContain("p4ss");
        ServiceOptions missing = new ServiceOptions();
        commandLine(missing, Map.of("DNSTAP_KAFKA_PROPERTIES_FILE", "/nonexistent/client.properties")).execute();
        assertThatThrownByConfig(missing.kafka::properties, "Invalid value for --kafka-properties-file "
                + "(DNSTAP_KAFKA_PROPERTIES_FILE): '/nonexistent/client.properties' cannot be read: "
                + "java.nio.file.NoSuchFileException: /nonexistent/client.properties");
    }

    private static String write(java.nio.file.Path dir, String content) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile(dir, "value", "");
        java.nio.file.Files.writeString(file, content);
        return file.toString();
    }

    private static CommandLine.Model.CommandSpec run(CommandLine cl) {
        assertThat(cl.execute()).isZero();
        return cl.getCommandSpec();
    }

    @Test
    void listsTheEffectiveOptionsSortedWithSecretsMasked() {
        Demo demo = new Demo();
        CommandLine cl = commandLine(demo, Map.of("DNSTAP_HEC_TOKEN", "s3cr3t"));
        cl.execute();

        assertThat(Cli.effectiveOptions(cl.getCommandSpec())).containsExactly(
                Map.entry("--batch-size", "100"),
                Map.entry("--config", ""),
                Map.entry("--hec-token", "********"),
                Map.entry("--kafka-topic", "dnstap.events"));
    }

    static class WithRepeatedOption implements Callable<Integer> {
        @Option(names = "--topic")
        String[] topics;

        @Override
        public Integer call() {
            return 0;
        }
    }

    @Test
    void listsARepeatedOptionsValuesNotTheArray() {
        CommandLine cl = commandLine(new WithRepeatedOption(), Map.of());
        cl.execute("--topic", "a:3", "--topic", "b:1");

        assertThat(Cli.effectiveOptions(cl.getCommandSpec())).containsEntry("--topic", "a:3,b:1");
    }

    @Test
    void readsSettingsFromAConfigFileBelowTheEnvironmentAndTheFlags(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("forwarder.properties");
        java.nio.file.Files.writeString(file, "# settings\nbatch-size = 42\nkafka-topic = from-file\nhec-token = t0k3n\n");

        Demo fromFile = new Demo();
        assertThat(Cli.execute(fromFile, Map.of(), new PrintWriter(err, true), "--config", file.toString())).isZero();
        Demo envWins = new Demo();
        assertThat(Cli.execute(envWins, Map.of("DNSTAP_KAFKA_TOPIC", "from-env", "DNSTAP_CONFIG", file.toString()),
                new PrintWriter(err, true), "--batch-size=7")).isZero();

        assertThat(fromFile.batchSize).isEqualTo(42);
        assertThat(fromFile.shared.topic).isEqualTo("from-file");
        assertThat(fromFile.token).isEqualTo("t0k3n");
        assertThat(envWins.batchSize).isEqualTo(7);
        assertThat(envWins.shared.topic).isEqualTo("from-env");
    }

    @Test
    void refusesAConfigFileWithASettingNoCommandHas(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("forwarder.properties");
        java.nio.file.Files.writeString(file, "batch-size = 42\nhec-ulr = https://typo\n");

        int exit = Cli.execute(new Demo(), Map.of(), new PrintWriter(err, true), "--config=" + file);

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).isEqualTo("Unknown setting(s) in the config file: [hec-ulr]; a setting is a long option "
                + "without its dashes, e.g. hec-url\n");
    }

    @Test
    void saysWhichConfigFileItCannotRead() {
        int exit = Cli.execute(new Demo(), Map.of("DNSTAP_CONFIG", "/nonexistent/forwarder.properties"),
                new PrintWriter(err, true));

        assertThat(exit).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).startsWith("Cannot read the config file /nonexistent/forwarder.properties "
                + "(--config / DNSTAP_CONFIG): java.nio.file.NoSuchFileException");
    }

    private Demo run(Map<String, String> environment, String... args) {
        Demo demo = new Demo();
        int exit = commandLine(demo, environment).execute(args);
        assertThat(exit).as(err.toString()).isZero();
        return demo;
    }

    private CommandLine commandLine(Object demo, Map<String, String> environment) {
        CommandLine cl = Cli.create(demo, environment);
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        return cl;
    }
}
