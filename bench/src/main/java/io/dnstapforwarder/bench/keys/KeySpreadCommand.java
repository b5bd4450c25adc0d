package io.dnstapforwarder.bench.keys;

import io.dnstapforwarder.bench.Capture;
import io.dnstapforwarder.event.DnstapEventEncoder;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dnstap-bench key-spread}: how the collector's transaction keys spread a capture over a
 * topic's partitions (with Kafka's own partitioner: murmur2 of the key), and whether every query
 * lands with its response. The load generator replays captures, so what holds for a capture holds
 * under it.
 */
@Command(name = "key-spread", mixinStandardHelpOptions = true,
        description = "Spread of a capture's records over partitions by transaction key, and the halves kept together.")
public final class KeySpreadCommand implements Callable<Integer> {

    @Option(names = "--capture", required = true, description = "Capture: .fstrm or .fstrm.zst.")
    private Path capturePath;

    @Option(names = "--partitions", defaultValue = "12", description = "Partitions of the topic. Default: ${DEFAULT-VALUE}.")
    private int partitions;

    @Override
    public Integer call() throws Exception {
        Capture capture = Capture.read(capturePath);
        DnstapEventEncoder encoder = Capture.envelopes();
        DnstapPeek peek = new DnstapPeek();
        long[] counts = new long[partitions];
        long unkeyed = 0;
        Map<TransactionKey, int[]> halves = new HashMap<>();
        for (int i = 0; i < capture.count(); i++) {
            byte[] event = capture.envelope(i, encoder);
            if (!peek.read(event)) {
                unkeyed++;
                continue;
            }
            TransactionKey key = TransactionKey.of(peek);
            if (key == null) {
                unkeyed++;
                continue;
            }
            int partition = Utils.toPositive(Utils.murmur2(key.partitionKey())) % partitions;
            counts[partition]++;
            int[] seen = halves.computeIfAbsent(key, k -> new int[] {-1, -1, 0, 0});
            int half = peek.isQuery() ? 0 : 1;
            seen[half] = partition;
            seen[2 + half]++;
        }
        long keyed = Arrays.stream(counts).sum();
        double mean = (double) keyed / partitions;
        long max = Arrays.stream(counts).max().orElse(0);
        long min = Arrays.stream(counts).min().orElse(0);
        long pairs = halves.values().stream().filter(h -> h[2] == 1 && h[3] == 1).count();
        long together = halves.values().stream().filter(h -> h[2] == 1 && h[3] == 1 && h[0] == h[1]).count();
        long reused = halves.values().stream().filter(h -> h[2] > 1 || h[3] > 1).count();
        System.out.printf(Locale.ROOT, "%s: %,d records, %,d keyed, %,d without a key%n", capturePath.getFileName(),
                capture.count(), keyed, unkeyed);
        System.out.printf(Locale.ROOT, "%d partitions: largest %,d, smallest %,d, mean %,.0f; largest / mean %.3f%n",
                partitions, max, min, mean, max / mean);
        System.out.printf(Locale.ROOT, "transactions with one query and one response: %,d, on one partition: %,d; "
                + "keys seen more than once per half: %,d%n", pairs, together, reused);
        return together == pairs ? 0 : 1;
    }
}
