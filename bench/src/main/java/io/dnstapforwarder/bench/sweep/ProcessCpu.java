package io.dnstapforwarder.bench.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time a process has used, from {@code /proc/PID/stat} (user plus system, in clock
 * ticks of 1/100 s: the Linux default, which {@code getconf CLK_TCK} confirms on these machines).
 */
final class ProcessCpu {

    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    /** Seconds of CPU the process used since it started. */
    static double seconds(long pid) throws IOException {
        return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) / TICKS_PER_SECOND;
    }

    /**
     * Seconds of CPU by kind of thread: names with their numbers replaced by {@code #}, so that
     * the JIT's, the collector's readers' or Kafka's I/O threads count together.
     */
    static Map<String, Double> byThread(long pid) throws IOException {
        Map<String, Double> seconds = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (NoSuchFileException ended) {
                    continue; // the thread ended between the listing and the read
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                seconds.merge(name, ticks(stat) / TICKS_PER_SECOND, Double::sum);
            }
        }
        return seconds;
    }

    private static long ticks(String stat) {
        // The command name, field 2, is in parentheses and may hold spaces: count fields after it.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15 of the whole line
    }
}
