package io.dnstapforwarder.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.EnvironmentDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
    void namesEveryPackageOfTheServicesAndOfCommon() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        SoftAssertions soft = new SoftAssertions();
        Path shipper = Path.of("..", "shipper", "src", "main", "java", "io", "dnstapforwarder", "shipper");
        for (String name : packagesUnder(shipper)) {
            soft.assertThat(readme).as("shipper package " + name).contains("| `" + name + "` |");
        }
        for (String module : List.of("collector", "common")) {
            Path root = Path.of("..", module, "src", "main", "java", "io", "dnstapforwarder");
            Path under = module.equals("collector") ? root.resolve("collector") : root;
            for (String name : packagesUnder(under)) {
                soft.assertThat(readme).as(module + " package " + name).contains("`" + name + "`");
            }
        }
        soft.assertAll();
    }

    /** The packages below {@code root} that hold classes, as paths relative to it ({@code render/dns}). */
    private static List<String> packagesUnder(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".java")).map(Path::getParent).distinct()
                    .filter(dir -> !dir.equals(root)).map(dir -> root.relativize(dir).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    @Test
    void givesTheTestCommandThatCiRuns() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String ci = Files.readString(Path.of("..", ".ci", "run"));

        assertThat(readme).contains("bin/dnstap-forwarder standalone", "./mvnw verify");
        assertThat(ci).contains("\n./mvnw verify\n");
    }
}
