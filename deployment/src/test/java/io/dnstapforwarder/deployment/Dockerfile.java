package io.dnstapforwarder.deployment;

import static io.dnstapforwarder.deployment.Repository.ROOT;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's Dockerfile, read: its stages' instructions, and for a stage the image it
 * builds as far as a container runtime sees it (environment, entrypoint, command, user, working
 * directory, the files copied in and the directories made), following {@code FROM} to earlier
 * stages. Enough to run a service as its image would, without a Docker engine.
 */
final class Dockerfile {

    private static final Pattern FROM = Pattern.compile("^FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");
    private static final Pattern MKDIR = Pattern.compile("mkdir -p ((?:\\S+\\s*)+?)(?:&&|$)");

    /** A file or directory the image copies in: from the repository (or a build stage's output in the repository) to a path. */
    record Copy(java.nio.file.Path source, String target) {
    }

    /** What a stage's image holds and how it starts. {@code env} values still hold {@code ${VAR}} of the base image. */
    record Image(Map<String, String> env, List<String> entrypoint, List<String> cmd, String user, String workdir,
            List<Copy> copies, List<String> directories) {
    }

    private final Map<String, List<String>> stages;

    private Dockerfile(Map<String, List<String>> stages) {
        this.stages = stages;
    }

    static Dockerfile read() {
        Map<String, List<String>> stages = new LinkedHashMap<>();
        List<String> current = null;
        StringBuilder continued = new StringBuilder();
        for (String raw : Repository.read(ROOT.resolve("Dockerfile")).split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                continued.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String instruction = continued.append(line).toString();
            continued.setLength(0);
            Matcher from = FROM.matcher(instruction);
            if (from.find()) {
                current = new ArrayList<>();
                stages.put(from.group(2) != null ? from.group(2) : "stage" + stages.size(), current);
            }
            current.add(instruction);
        }
        return new Dockerfile(stages);
    }

    /** Each stage's instructions, by stage name, {@code FROM} first. */
    Map<String, List<String>> stages() {
        return stages;
    }

    /** The image {@code stage} builds: its instructions over those of the stages it is built on. */
    Image image(String stage) {
        List<List<String>> chain = new ArrayList<>();
        for (String name = stage; stages.containsKey(name); name = stages.get(name).get(0).split("\\s+")[1]) {
            chain.add(0, stages.get(name));
        }
        Map<String, String> env = new LinkedHashMap<>();
        List<String> entrypoint = List.of();
        List<String> cmd = List.of();
        String user = "0";
        String workdir = "/";
        List<Copy> copies = new ArrayList<>();
        List<String> directories = new ArrayList<>();
        for (List<String> instructions : chain) {
            for (String line : instructions) {
                String[] split = line.split("\\s+", 2);
                String argument = split.length > 1 ? split[1] : "";
                switch (split[0].toUpperCase()) {
                    case "ENV" -> env.putAll(envPairs(argument));
                    case "ENTRYPOINT" -> entrypoint = execForm(argument);
                    case "CMD" -> cmd = execForm(argument);
                    case "USER" -> user = argument;
                    case "WORKDIR" -> {
                        workdir = argument;
                        directories.add(argument);
                    }
                    case "COPY" -> copies.addAll(copies(argument));
                    case "RUN" -> {
                        Matcher mkdir = MKDIR.matcher(argument);
                        while (mkdir.find()) {
                            directories.addAll(List.of(mkdir.group(1).trim().split("\\s+")));
                        }
                    }
                    default -> { }
                }
            }
        }
        return new Image(env, entrypoint, cmd, user, workdir, copies, directories);
    }

    private static Map<String, String> envPairs(String argument) {
        Map<String, String> pairs = new LinkedHashMap<>();
        Matcher pair = ENV_PAIR.matcher(argument);
        while (pair.find()) {
            String value = pair.group(2);
            if (value.startsWith("\"")) {
                value = value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
            }
            pairs.put(pair.group(1), value);
        }
        return pairs;
    }

    private static List<String> execForm(String argument) {
        try {
            return Repository.JSON.readValue(argument, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("not an exec-form (JSON) list: " + argument, e);
        }
    }

    /**
     * A COPY's sources in the repository: plain ones as they are; {@code --from=build /src/X}
     * as {@code X} in this checkout, where the build stage leaves it (the Maven reactor under /src).
     */
    private List<Copy> copies(String argument) {
        List<String> parts = new ArrayList<>(List.of(argument.split("\\s+")));
        String from = null;
        if (parts.get(0).startsWith("--from=")) {
            from = parts.remove(0).substring("--from=".length());
        }
        String target = parts.remove(parts.size() - 1);
        List<Copy> copies = new ArrayList<>();
        for (String source : parts) {
            String relative = source;
            if (from != null) {
                String workdir = image(from).workdir();
                relative = source.startsWith(workdir + "/") ? source.substring(workdir.length() + 1) : source;
            }
            java.nio.file.Path path = ROOT.resolve(relative);
            String destination = target.endsWith("/") && !source.endsWith("/")
                    ? target + path.getFileName() : target;
            copies.add(new Copy(path, destination.endsWith("/") && destination.length() > 1
                    ? destination.substring(0, destination.length() - 1) : destination));
        }
        return copies;
    }
}
