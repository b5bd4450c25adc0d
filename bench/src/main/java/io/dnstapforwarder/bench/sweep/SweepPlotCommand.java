package io.dnstapforwarder.bench.sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dnstap-bench sweep-plot}: draws a sweep's CSV again, optionally over another build's, dashed. */
@Command(name = "sweep-plot", mixinStandardHelpOptions = true,
        description = "Plot a rate sweep's CSV (rate-sweep --csv), optionally against a baseline's.")
public final class SweepPlotCommand implements Callable<Integer> {

    @Option(names = "--csv", required = true, description = "The sweep to plot.")
    private Path csv;

    @Option(names = "--baseline-csv", description = "Another build's sweep, drawn dashed.")
    private Path baselineCsv;

    @Option(names = "--baseline-label", defaultValue = "before", description = "Its name in the legend. Default: ${DEFAULT-VALUE}.")
    private String baselineLabel;

    @Option(names = "--plot", required = true, description = "The PNG to write.")
    private Path plot;

    @Option(names = "--title", defaultValue = "dnstap-forwarder: CPU per message by rate", description = "Plot title.")
    private String title;

    @Override
    public Integer call() throws Exception {
        List<SweepRow> baseline = baselineCsv == null ? List.of() : SweepCsv.read(baselineCsv);
        SweepPlot.write(SweepCsv.read(csv), baseline, baselineLabel, title, plot);
        System.out.println("plot: " + plot.toAbsolutePath());
        return 0;
    }
}
