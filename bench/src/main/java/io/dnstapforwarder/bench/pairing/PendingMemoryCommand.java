package io.dnstapforwarder.bench.pairing;

import io.dnstapforwarder.bench.Capture;
import io.dnstapforwarder.event.DnstapEventEncoder;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.consume.TransactionPairing;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import io.dnstapforwarder.time.Time;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dnstap-bench pending-memory}: the heap one waiting half costs the shipper with
 * {@code --transactions}: the queries of a capture offered to the shipper's own pairing as Kafka
 * records (as the consumer makes them: key, value, the schema header), none answered, and the heap
 * measured after a full collection before and after.
 */
@Command(name = "pending-memory", mixinStandardHelpOptions = true,
        description = "Heap per query waiting for its response in the shipper's pairing.")
public final class PendingMemoryCommand implements Callable<Integer> {

    @Option(names = "--capture", required = true, description = "Capture: .fstrm or .fstrm.zst.")
    private Path capturePath;

    @Option(names = "--halves", defaultValue = "500000", description = "Queries left waiting. Default: ${DEFAULT-VALUE}.")
    private int halves;

    @Override
    public Integer call() throws Exception {
        Capture capture = Capture.read(capturePath);
        DnstapEventEncoder encoder = Capture.envelopes();
        DnstapPeek peek = new DnstapPeek();
        long empty = used();
        List<ConsumerRecord<byte[], byte[]>> queries = new ArrayList<>(halves);
        TopicPartition partition = new TopicPartition("dnstap.events", 0);
        byte[] schema = DnstapEvents.SCHEMA.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < capture.count() && queries.size() < halves; i++) {
            byte[] value = capture.envelope(i, encoder);
            if (!peek.read(value) || !peek.isQuery() || TransactionKey.of(peek) == null) {
                continue;
            }
            RecordHeaders headers = new RecordHeaders();
            headers.add(DnstapEvents.SCHEMA_HEADER, schema);
            queries.add(new ConsumerRecord<>(partition.topic(), 0, i, 1_800_000_000_000L, TimestampType.CREATE_TIME,
                    8, value.length, TransactionKey.of(peek).partitionKey(), value, headers, Optional.empty()));
        }
        long recordBytes = used() - empty;
        TransactionPairing pairing = new TransactionPairing(new PairingSettings(true, Duration.ofMinutes(10),
                queries.size() + 1), (p, transaction) -> { }, new ComponentMetrics(new SimpleMeterRegistry(), "bench",
                "bench"), Time.SYSTEM);
        long before = used();
        for (ConsumerRecord<byte[], byte[]> query : queries) {
            Object hold = new long[1]; // as the ledger's hold of an offset: an object of a long, released by a reference
            pairing.offer(partition, query, record -> () -> hold.hashCode());
        }
        long after = used();
        System.out.printf(Locale.ROOT, "%,d queries waiting: %,d bytes of heap each for the pairing, %,d with the record "
                + "itself (value %.0f bytes on average)%n", queries.size(), (after - before) / queries.size(),
                (after - before) / queries.size() + recordBytes / queries.size(),
                queries.stream().mapToInt(record -> record.value().length).average().orElse(0));
        System.out.println(pairing.stats()); // keeps the pairing reachable until measured
        return 0;
    }

    private static long used() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
