package io.dnstapforwarder.bench.sweep;

import io.dnstapforwarder.bench.Capture;
import io.dnstapforwarder.bench.PacedSender;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dnstap-bench rate-sweep}: what the pipeline costs at the pace DNS servers send. It runs a
 * broker, a collector and a shipper as processes of their own (the broker from this jar, the
 * services through the launcher, with its defaults), a HEC endpoint in this process, and sends
 * dnstap at each rate over N connections, one frame per write at Poisson times. For each rate it
 * measures, after a warm-up, the CPU each process used (from {@code /proc}) per message
 * delivered, the messages per second, and the latency from the collector's receipt to HEC; and
 * what each process costs idle. Prints a Markdown table; writes a PNG plot.
 *
 * <p>The JIT compiler is most of what a JVM spends in its first minutes at a low rate (its hot
 * paths take that long to get hot), and would be counted against whichever rate came first. So
 * the sweep first sends at {@code --prewarm-rate} for {@code --prewarm-sec}, unmeasured, then
 * measures the rates from the highest down, then idle, and full speed last (it leaves a backlog).
 */
@Command(name = "rate-sweep", mixinStandardHelpOptions = true,
        description = "CPU per message of broker, collector and shipper at each rate, idle to full speed.")
public final class RateSweepCommand implements Callable<Integer> {

    private static final String TOPIC = "dnstap.events";

    @Option(names = "--capture", required = true, description = "Capture to send: .fstrm or .fstrm.zst.")
    private Path capturePath;

    @Option(names = "--rates", split = ",", defaultValue = "100,1000,10000,50000,0",
            description = "Messages per second to send, over all connections; 0 is full speed. Default: ${DEFAULT-VALUE}.")
    private List<Long> rates;

    @Option(names = "--connections", defaultValue = "4", description = "Connections, as DNS servers. Default: ${DEFAULT-VALUE}.")
    private int connections;

    @Option(names = "--prewarm-rate", defaultValue = "50000", description = "Rate of the unmeasured warm-up. Default: ${DEFAULT-VALUE}.")
    private long prewarmRate;

    @Option(names = "--prewarm-sec", defaultValue = "30", description = "Seconds of the unmeasured warm-up; 0 for none. Default: ${DEFAULT-VALUE}.")
    private long prewarmSec;

    @Option(names = "--warmup-sec", defaultValue = "30", description = "Seconds at each rate before measuring. Default: ${DEFAULT-VALUE}.")
    private long warmupSec;

    @Option(names = "--measure-sec", defaultValue = "30", description = "Seconds measured at each rate. Default: ${DEFAULT-VALUE}.")
    private long measureSec;

    @Option(names = "--idle-sec", defaultValue = "60", description = "Seconds measured idle. Default: ${DEFAULT-VALUE}.")
    private long idleSec;

    @Option(names = "--work-dir", defaultValue = "/tmp/dnstap-rate-sweep", description = "Broker data and socket. Default: ${DEFAULT-VALUE}.")
    private Path workDir;

    @Option(names = "--launcher", defaultValue = "bin/dnstap-forwarder", description = "The services' launcher. Default: ${DEFAULT-VALUE}.")
    private Path launcher;

    @Option(names = "--collector-option", description = "An extra option for the collector, e.g. --max-latency-ms=100.")
    private List<String> collectorOptions = new ArrayList<>();

    @Option(names = "--shipper-option", description = "An extra option for the shipper, e.g. --flush-interval-sec=2.")
    private List<String> shipperOptions = new ArrayList<>();

    @Option(names = "--broker-property", description = "A broker setting, KEY=VALUE.")
    private List<String> brokerProperties = new ArrayList<>();

    @Option(names = "--plot", description = "Write the plot here (PNG).")
    private Path plot;

    @Option(names = "--csv", description = "Write the rows here (CSV), for sweep-plot.")
    private Path csv;

    @Option(names = "--threads", description = "Also print, for each rate, where each process's CPU went, by thread.")
    private boolean threads;

    @Option(names = "--title", defaultValue = "dnstap-forwarder: CPU per message by rate", description = "Plot title.")
    private String title;

    @Override
    public Integer call() throws Exception {
        Capture capture = Capture.read(capturePath);
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        int kafkaPort = freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        Path socket = workDir.resolve("dnstap.sock");
        List<SweepService> services = new ArrayList<>();
        try (MeasuringSink sink = new MeasuringSink(freePort())) {
            Path benchJar = Path.of(RateSweepCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> brokerCommand = new ArrayList<>(List.of("java", "-Xmx1g", "-jar", benchJar.toString(), "broker",
                    "--data-dir", workDir.resolve("kafka").toString(), "--listen", bootstrap, "--topic",
                    TOPIC + ":3,dnstap.dlq:1"));
            brokerProperties.forEach(property -> brokerCommand.addAll(List.of("--property", property)));
            SweepService broker = start(services, "broker", brokerCommand, Map.of());
            SweepService.awaitKafka(bootstrap, TOPIC);
            int collectorOps = freePort();
            int shipperOps = freePort();
            List<String> collectorCommand = new ArrayList<>(List.of(launcher.toString(), "collector", "--socket-path",
                    socket.toString(), "--tcp-listen", "off", "--kafka-bootstrap", bootstrap, "--monitoring-port",
                    Integer.toString(collectorOps), "--collector-id", "sweep"));
            List<String> shipperCommand = new ArrayList<>(List.of(launcher.toString(), "shipper", "--hec-url",
                    "http://127.0.0.1:" + sink.port(), "--hec-token", "sweep", "--kafka-bootstrap", bootstrap,
                    "--kafka-group", "sweep", "--monitoring-port", Integer.toString(shipperOps), "--shipper-id", "sweep"));
            collectorCommand.addAll(collectorOptions);
            shipperCommand.addAll(shipperOptions);
            SweepService collector = start(services, "collector", collectorCommand, Map.of("DNSTAP_SKIP_BUILD", "1"));
            SweepService shipper = start(services, "shipper", shipperCommand, Map.of("DNSTAP_SKIP_BUILD", "1"));
            SweepService.awaitReady(collectorOps);
            SweepService.awaitReady(shipperOps);

            System.out.printf(Locale.ROOT, "capture %s: %d frames, mean %.0f bytes; %d connections; %d s warm-up, %d s "
                    + "measured at each rate%n", capturePath.getFileName(), capture.count(), capture.meanFrameBytes(),
                    connections, warmupSec, measureSec);
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
            List<SweepRow> rows = new ArrayList<>();
            double[] idle;
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                if (prewarmSec > 0) {
                    System.out.printf(Locale.ROOT, "warming up: %,d messages/s for %d s, not measured%n", prewarmRate,
                            prewarmSec);
                    send(prewarmRate, capture, address, prewarmSec, new AtomicLong(), () -> { });
                    drain(sink);
                }
                List<Long> order = new ArrayList<>(rates.stream().filter(rate -> rate > 0).sorted((a, b) -> Long.compare(b, a))
                        .toList());
                for (long rate : order) {
                    rows.add(measure(rate, capture, address, sink, admin, broker, collector, shipper));
                    System.out.println(rows.get(rows.size() - 1).line());
                }
                idle = cpuShares(List.of(broker, collector, shipper), idleSec);
                System.out.printf(Locale.ROOT, "idle: broker %.2f %%, collector %.2f %%, shipper %.2f %% of a core%n",
                        100 * idle[0], 100 * idle[1], 100 * idle[2]);
                if (rates.contains(0L)) {
                    rows.add(measure(0, capture, address, sink, admin, broker, collector, shipper));
                    System.out.println(rows.get(rows.size() - 1).line());
                }
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "Idle: broker %.2f %%, collector %.2f %%, shipper %.2f %% of a core.%n%n",
                    100 * idle[0], 100 * idle[1], 100 * idle[2]);
            System.out.println(SweepRow.table(rows));
            if (csv != null) {
                SweepCsv.write(rows, csv);
                System.out.println("csv: " + csv.toAbsolutePath());
            }
            if (plot != null) {
                SweepPlot.write(rows, title, plot);
                System.out.println("plot: " + plot.toAbsolutePath());
            }
        } finally {
            for (int i = services.size() - 1; i >= 0; i--) {
                services.get(i).stop();
            }
        }
        return 0;
    }

    /** Something to do while the senders send. */
    @FunctionalInterface
    private interface WhileSending {
        void run() throws Exception;
    }

    /** Sends at {@code rate} over the connections for {@code seconds}, counting into {@code sent}, then runs {@code meanwhile}. */
    private void send(long rate, Capture capture, UnixDomainSocketAddress address, long seconds, AtomicLong sent,
            WhileSending meanwhile) throws Exception {
        boolean[] sending = {true};
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread sender = new Thread(new PacedSender(capture, address, rate / (double) connections, true,
                    () -> sending[0], sent, 17L * (i + 1) + rate), "sender-" + i);
            sender.start();
            senders.add(sender);
        }
        try {
            TimeUnit.SECONDS.sleep(seconds);
            meanwhile.run();
        } finally {
            sending[0] = false;
            for (Thread sender : senders) {
                sender.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }

    /** Sends at {@code rate}; after the warm-up, measures a window of {@code --measure-sec}. */
    private SweepRow measure(long rate, Capture capture, UnixDomainSocketAddress address, MeasuringSink sink, Admin admin,
            SweepService broker, SweepService collector, SweepService shipper) throws Exception {
        AtomicLong sent = new AtomicLong();
        SweepRow[] row = new SweepRow[1];
        send(rate, capture, address, warmupSec, sent, () -> {
            sink.window();
            long sentBefore = sent.get();
            long publishedBefore = endOffsets(admin);
            double[] cpuBefore = {broker.cpuSeconds(), collector.cpuSeconds(), shipper.cpuSeconds()};
            List<Map<String, Double>> threadsBefore = threads ? byThread(broker, collector, shipper) : List.of();
            long began = System.nanoTime();
            TimeUnit.SECONDS.sleep(measureSec);
            double seconds = (System.nanoTime() - began) / 1e9;
            if (threads) {
                printThreads(List.of(broker, collector, shipper), threadsBefore, byThread(broker, collector, shipper), seconds);
            }
            double[] cpu = {(broker.cpuSeconds() - cpuBefore[0]) / seconds, (collector.cpuSeconds() - cpuBefore[1]) / seconds,
                (shipper.cpuSeconds() - cpuBefore[2]) / seconds};
            MeasuringSink.Window window = sink.window();
            long published = endOffsets(admin) - publishedBefore;
            row[0] = new SweepRow(rate, (sent.get() - sentBefore) / seconds, published / seconds, window.events() / seconds,
                    cpu[0], cpu[1], cpu[2], window.p50(), window.p99(), window.max());
        });
        if (rate > 0) {
            drain(sink); // full speed comes last and leaves its backlog
        }
        return row[0];
    }

    /** Waits until the shipper has delivered what was sent: no event for 3 s, at most 5 minutes. */
    private static void drain(MeasuringSink sink) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() < deadline) {
            TimeUnit.SECONDS.sleep(1);
            quiet = sink.window().events() == 0 ? quiet + 1 : 0;
        }
    }

    private static List<Map<String, Double>> byThread(SweepService... services) throws IOException {
        List<Map<String, Double>> snapshots = new ArrayList<>();
        for (SweepService service : services) {
            snapshots.add(service.cpuByThread());
        }
        return snapshots;
    }

    /** The threads that used most of each process's CPU in the window, in percent of a core. */
    private static void printThreads(List<SweepService> services, List<Map<String, Double>> before,
            List<Map<String, Double>> after, double seconds) {
        for (int i = 0; i < services.size(); i++) {
            Map<String, Double> earlier = before.get(i);
            String top = after.get(i).entrySet().stream()
                    .map(entry -> Map.entry(entry.getKey(), (entry.getValue() - earlier.getOrDefault(entry.getKey(), 0.0)) / seconds))
                    .filter(entry -> entry.getValue() >= 0.0005)
                    .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                    .limit(8)
                    .map(entry -> String.format(Locale.ROOT, "%s %.2f %%", entry.getKey(), 100 * entry.getValue()))
                    .collect(Collectors.joining(", "));
            System.out.printf(Locale.ROOT, "  %s threads: %s%n", services.get(i).name(), top);
        }
    }

    private double[] cpuShares(List<SweepService> services, long seconds) throws Exception {
        double[] before = new double[services.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = services.get(i).cpuSeconds();
        }
        SweepService[] all = services.toArray(SweepService[]::new);
        List<Map<String, Double>> threadsBefore = threads ? byThread(all) : List.of();
        long began = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        double elapsed = (System.nanoTime() - began) / 1e9;
        if (threads) {
            printThreads(services, threadsBefore, byThread(all), elapsed);
        }
        double[] shares = new double[before.length];
        for (int i = 0; i < before.length; i++) {
            shares[i] = (services.get(i).cpuSeconds() - before[i]) / elapsed;
        }
        return shares;
    }

    private static long endOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < 3; partition++) {
            latest.put(new TopicPartition(TOPIC, partition), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }

    private SweepService start(List<SweepService> services, String name, List<String> command,
            Map<String, String> environment) throws IOException {
        SweepService service = SweepService.start(name, command, environment, workDir.resolve(name + ".log"));
        services.add(service);
        return service;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
