package io.dnstapforwarder.bench.sweep;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The sweep as a picture: CPU per message of each process against the messages per second it
 * handled (the broker and the collector what was published, the shipper what it delivered: flat
 * out they differ), both axes logarithmic; a baseline, if given, dashed in the same colours.
 */
final class SweepPlot {

    private static final Color BROKER = new Color(0x1f77b4);
    private static final Color COLLECTOR = new Color(0xff7f0e);
    private static final Color SHIPPER = new Color(0x2ca02c);
    private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);

    private SweepPlot() {
    }

    static void write(List<SweepRow> rows, String title, Path png) throws IOException {
        write(rows, List.of(), "", title, png);
    }

    static void write(List<SweepRow> rows, List<SweepRow> baseline, String baselineLabel,
            String title, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
                .xAxisTitle("messages per second handled").yAxisTitle("CPU per message (µs)").build();
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setLegendVisible(true)
                .setChartBackgroundColor(Color.WHITE);
        String suffix = baseline.isEmpty() ? "" : " (now)";
        addAll(chart, rows, suffix, false);
        addAll(chart, baseline, " (" + baselineLabel + ")", true);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void addAll(XYChart chart, List<SweepRow> rows, String suffix, boolean dashed) {
        if (rows.isEmpty()) {
            return;
        }
        add(chart, "broker" + suffix, BROKER, dashed, rows, SweepRow::publishedPerSecond,
                SweepRow::brokerMicrosPerMessage);
        add(chart, "collector" + suffix, COLLECTOR, dashed, rows, SweepRow::publishedPerSecond,
                SweepRow::collectorMicrosPerMessage);
        add(chart, "shipper" + suffix, SHIPPER, dashed, rows, SweepRow::deliveredPerSecond,
                SweepRow::shipperMicrosPerMessage);
    }

    private static void add(XYChart chart, String name, Color color, boolean dashed, List<SweepRow> rows,
            ToDoubleFunction<SweepRow> rate, ToDoubleFunction<SweepRow> micros) {
        List<SweepRow> points = rows.stream().filter(row -> rate.applyAsDouble(row) > 0)
                .sorted(Comparator.comparingDouble(rate)).toList();
        XYSeries series = chart.addSeries(name, points.stream().mapToDouble(rate).toArray(),
                points.stream().mapToDouble(micros).toArray());
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setLineColor(color);
        series.setMarkerColor(color);
        if (dashed) {
            series.setLineStyle(DASHED);
        }
    }
}
