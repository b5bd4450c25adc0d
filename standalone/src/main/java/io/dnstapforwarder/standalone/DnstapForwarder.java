package io.dnstapforwarder.standalone;

import io.dnstapforwarder.collector.CollectorCommand;
import io.dnstapforwarder.config.BuildVersion;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.shipper.ShipperCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dnstap-forwarder} launcher: {@code standalone}, {@code collector} and {@code shipper}. */
@Command(name = "dnstap-forwarder", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        subcommands = {StandaloneCommand.class, CollectorCommand.class, ShipperCommand.class},
        description = {"Takes dnstap from DNS servers and delivers it to Splunk, with Kafka as the durable buffer.",
            "Every option is also an environment variable: --hec-url is DNSTAP_HEC_URL."})
public final class DnstapForwarder implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: standalone, collector or shipper");
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new DnstapForwarder(), System.getenv(), args));
    }
}
