package io.dnstapforwarder.standalone;

import io.dnstapforwarder.collector.CollectorCommand;
import io.dnstapforwarder.config.BuildVersion;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.shipper.cli.DlqCommand;
import io.dnstapforwarder.shipper.cli.ReplayCommand;
import io.dnstapforwarder.shipper.cli.ShipperCommand;
import io.dnstapforwarder.shipper.cli.TapCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code dnstap-forwarder} launcher: the services {@code standalone}, {@code collector} and
 * {@code shipper}, and the tools {@code replay}, {@code dlq redrive} and {@code tap}.
 */
@Command(name = "dnstap-forwarder", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        subcommands = {StandaloneCommand.class, CollectorCommand.class, ShipperCommand.class, ReplayCommand.class,
            DlqCommand.class, TapCommand.class},
        description = {"Takes dnstap from DNS servers and delivers it to Splunk, with Kafka as the durable buffer.",
            "Every option is also an environment variable: --hec-url is DNSTAP_HEC_URL."})
public final class DnstapForwarder implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing command: standalone, collector, shipper, replay, dlq or tap");
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("tap")) {
            System.setProperty("DNSTAP_LOG_TARGET", "System.err"); // standard output is tap's data; before any logging
        }
        System.exit(Cli.execute(new DnstapForwarder(), System.getenv(), args));
    }
}
