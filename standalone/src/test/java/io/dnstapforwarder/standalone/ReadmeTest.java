package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.EnvironmentDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/** The README's configuration reference cannot drift from the options the commands really have. */
class ReadmeTest {

    @Test
    void documentsEveryOptionOfEveryCommandWithItsEnvironmentVariable() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        CommandLine launcher = Cli.create(new DnstapForwarder(), Map.of());
        SoftAssertions soft = new SoftAssertions();
        for (CommandLine command : launcher.getSubcommands().values()) {
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (option.usageHelp() || option.versionHelp()) {
                    continue;
                }
                String row = "| `" + option.longestName() + "` | `" + EnvironmentDefaults.variableFor(option) + "` |";
                soft.assertThat(readme).as(command.getCommandName() + " " + option.longestName()).contains(row);
            }
        }
        soft.assertAll();
    }

    @Test
    void givesTheTestCommandThatCiRuns() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String ci = Files.readString(Path.of("..", ".ci", "run"));

        assertThat(readme).contains("bin/dnstap-forwarder standalone", "./mvnw verify");
        assertThat(ci).contains("\n./mvnw verify\n");
    }
}
