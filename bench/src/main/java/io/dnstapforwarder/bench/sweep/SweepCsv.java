package io.dnstapforwarder.bench.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A sweep's rows as CSV, so that a plot can be drawn again, or against another build's, without sweeping again. */
final class SweepCsv {

    static final String HEADER = "rate,sent_per_s,published_per_s,delivered_per_s,broker_cpu,collector_cpu,shipper_cpu,"
            + "p50_s,p99_s,max_s";

    private SweepCsv() {
    }

    static void write(List<SweepRow> rows, Path csv) throws IOException {
        List<String> lines = new ArrayList<>(List.of(HEADER));
        for (SweepRow row : rows) {
            lines.add(String.format(Locale.ROOT, "%d,%.1f,%.1f,%.1f,%.6f,%.6f,%.6f,%.4f,%.4f,%.4f", row.target(),
                    row.sentPerSecond(), row.publishedPerSecond(), row.deliveredPerSecond(), row.brokerCpu(),
                    row.collectorCpu(), row.shipperCpu(), row.p50(), row.p99(), row.max()));
        }
        Files.write(csv, lines, StandardCharsets.UTF_8);
    }

    static List<SweepRow> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(csv + " is not a sweep's CSV: its first line must be " + HEADER);
        }
        List<SweepRow> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length != 10) {
                throw new IOException(csv + ": a row needs 10 fields: " + line);
            }
            rows.add(new SweepRow(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                    Double.parseDouble(f[7]), Double.parseDouble(f[8]), Double.parseDouble(f[9])));
        }
        return rows;
    }
}
