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

/**
 * The README and docs/: the configuration reference cannot drift from the options the commands
 * really have, the README stays a landing page, and no link among them leads nowhere.
 */
class ReadmeTest {

    @Test
    void documentsEveryOptionOfEveryCommandWithItsEnvironmentVariable() throws Exception {
        String readme = Files.readString(Path.of("..", "docs", "CONFIGURATION.md"));
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
        String readme = Files.readString(Path.of("..", "docs", "DEVELOPMENT.md"));
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
    void theReadmeIsALandingPageOfAtMost250Lines() throws Exception {
        assertThat(Files.readAllLines(Path.of("..", "README.md"))).hasSizeLessThanOrEqualTo(250);
    }

    /** Every relative link of the README, docs/ and the other READMEs: its file exists, and so does its heading. */
    @Test
    void everyLinkLeadsToAFileAndAHeadingThatExist() throws Exception {
        List<Path> pages = new java.util.ArrayList<>(List.of(Path.of("..", "README.md"), Path.of("..", "compose", "README.md"),
                Path.of("..", "charts", "dnstap-forwarder", "README.md"), Path.of("..", "splunk", "TA-dnstap-forwarder", "README.md")));
        try (Stream<Path> docs = Files.list(Path.of("..", "docs"))) {
            docs.filter(file -> file.toString().endsWith(".md")).forEach(pages::add);
        }
        SoftAssertions soft = new SoftAssertions();
        java.util.regex.Pattern link = java.util.regex.Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
        int links = 0;
        for (Path page : pages) {
            java.util.regex.Matcher found = link.matcher(Files.readString(page));
            while (found.find()) {
                String target = found.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue;
                }
                links++;
                int hash = target.indexOf('#');
                Path file = hash == 0 ? page : page.getParent().resolve(hash < 0 ? target : target.substring(0, hash)).normalize();
                soft.assertThat(file).as(page + " links to " + target).exists();
                if (hash >= 0 && Files.isRegularFile(file)) {
                    soft.assertThat(anchors(file)).as(page + " links to " + target).contains(target.substring(hash + 1));
                }
            }
        }
        soft.assertAll();
        assertThat(links).isGreaterThan(50);
    }

    /** GitHub's anchors of a Markdown file's headings: lower case, punctuation dropped, spaces to dashes. */
    private static java.util.Set<String> anchors(Path markdown) throws Exception {
        java.util.Set<String> anchors = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(markdown)) {
            if (line.startsWith("#")) {
                anchors.add(line.replaceFirst("^#+\\s*", "").toLowerCase(java.util.Locale.ROOT)
                        .replaceAll("[^a-z0-9 _-]", "").strip().replace(' ', '-'));
            }
        }
        return anchors;
    }

    @Test
    void givesTheTestCommandThatCiRuns() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String ci = Files.readString(Path.of("..", ".ci", "run"));

        assertThat(readme).contains("bin/dnstap-forwarder standalone", "./mvnw verify");
        assertThat(ci).contains("\n./mvnw verify\n");
    }
}
