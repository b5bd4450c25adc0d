package io.dnstapforwarder.bench;

import io.dnstapforwarder.bench.keys.KeySpreadCommand;
import io.dnstapforwarder.bench.pairing.PendingMemoryCommand;
import io.dnstapforwarder.bench.sweep.RateSweepCommand;
import io.dnstapforwarder.bench.sweep.SweepPlotCommand;
import io.dnstapforwarder.config.BuildVersion;
import io.dnstapforwarder.config.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code java -jar bench/target/dnstap-bench.jar}: the benchmark tools. See docs/PERFORMANCE.md. */
@Command(name = "dnstap-bench", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        subcommands = {BrokerCommand.class, LoadGenerator.class, HecSinkCommand.class, RateSweepCommand.class,
                SweepPlotCommand.class, KeySpreadCommand.class, PendingMemoryCommand.class},
        description = "Benchmark tools: a Kafka broker of its own, the end-to-end dnstap load generator, a counting HEC endpoint.")
public final class Bench implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: broker, load, hec-sink or rate-sweep");
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new Bench(), System.getenv(), args));
    }
}
