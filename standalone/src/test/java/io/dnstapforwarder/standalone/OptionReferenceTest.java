package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.EnvironmentDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/OPTIONS.md is generated from the commands' own definitions (what {@code --help} prints):
 * every option of every command, its environment variable, the commands that take it, its
 * default and its description. It cannot drift: this test regenerates it and compares. To write
 * it after changing an option: {@code ./mvnw -pl standalone test -Dtest=OptionReferenceTest -Doptions.write=true}.
 */
class OptionReferenceTest {

    private static final Path FILE = Path.of("..", "docs", "OPTIONS.md");

    /** One option as the reference shows it, and the commands that have it. */
    private record Row(String name, String variable, List<String> commands, String defaultValue, String description) {
    }

    @Test
    void theOptionReferenceIsWhatTheCommandsDefine() throws Exception {
        String generated = generate();
        if (Boolean.getBoolean("options.write")) {
            Files.writeString(FILE, generated);
            return;
        }
        assertThat(Files.readString(FILE)).as("docs/OPTIONS.md; write it with -Doptions.write=true").isEqualTo(generated);
    }

    private static String generate() {
        CommandLine launcher = Cli.create(new DnstapForwarder(), Map.of());
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Map.Entry<String, CommandLine> command : launcher.getSubcommands().entrySet()) {
            for (OptionSpec option : command.getValue().getCommandSpec().options()) {
                if (option.usageHelp() || option.versionHelp()) {
                    continue;
                }
                Row known = rows.get(option.longestName());
                if (known != null) {
                    known.commands().add(command.getKey());
                    continue;
                }
                List<String> commands = new ArrayList<>(List.of(command.getKey()));
                rows.put(option.longestName(), new Row(option.longestName(), EnvironmentDefaults.variableFor(option), commands,
                        option.defaultValue(), description(option)));
            }
        }
        StringBuilder text = new StringBuilder("""
                # Options

                Generated from the commands' own definitions (what `--help` prints) by `OptionReferenceTest`:
                every option of every command, its environment variable, the commands that take it and its
                default. [CONFIGURATION.md](CONFIGURATION.md) explains them at more length, grouped by what
                they are for. A flag wins over its variable, and a variable over the default.

                | option | variable | commands | default | what |
                |---|---|---|---|---|
                """);
        for (Row row : rows.values()) {
            text.append("| `").append(row.name()).append("` | `").append(row.variable()).append("` | ")
                    .append(String.join(", ", row.commands())).append(" | ")
                    .append(row.defaultValue() == null || row.defaultValue().isEmpty() ? "" : "`" + cell(row.defaultValue()) + "`")
                    .append(" | ").append(cell(row.description())).append(" |\n");
        }
        return text.toString();
    }

    /** The description as --help prints it, but its "Default: ${DEFAULT-VALUE}." left to the default column. */
    private static String description(OptionSpec option) {
        String text = String.join(" ", option.description()).replaceAll("\\s*Default: \\$\\{DEFAULT-VALUE}\\.?", "")
                .replace("${DEFAULT-VALUE}", String.valueOf(option.defaultValue()))
                .replaceAll("\\s*Env: DNSTAP_\\w+\\.?", ""); // the variable has its column
        if (option.defaultValue() != null) {
            text = text.replace("Default: " + option.defaultValue() + ".", "");
        }
        return text.strip();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;");
    }
}
