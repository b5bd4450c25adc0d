package io.dnstapforwarder.shipper.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.config.BuildVersion;
import io.dnstapforwarder.config.Cli;
import io.dnstapforwarder.config.ConfigFileOption;
import io.dnstapforwarder.config.KafkaOptions;
import io.dnstapforwarder.kafka.KafkaSettings;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.ops.Lifecycle;
import io.dnstapforwarder.shipper.Shipper;
import io.dnstapforwarder.shipper.ShipperConfig;
import io.dnstapforwarder.shipper.batch.HeldRecord;
import io.dnstapforwarder.shipper.consume.Bounds;
import io.dnstapforwarder.shipper.consume.TransactionPairing;
import io.dnstapforwarder.shipper.pair.Transaction;
import io.dnstapforwarder.shipper.render.EventProfile;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import io.dnstapforwarder.shipper.render.HecRouting;
import io.dnstapforwarder.shipper.shape.DropCounters;
import io.dnstapforwarder.shipper.shape.EventShaper;
import io.dnstapforwarder.shipper.shape.LiveShaping;
import io.dnstapforwarder.shipper.shape.RecordRenderer;
import io.dnstapforwarder.time.Time;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dnstap-forwarder tap}: prints the events of the topic as the shipper would send them to
 * Splunk, one JSON object per line, for debugging (like {@code dnstap-ldns -r}, from Kafka). It
 * reads without a consumer group, so it changes nothing for the shippers. Logs go to standard
 * error, events to standard output.
 */
@Command(name = "tap", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = {"Print the topic's events as HEC JSON, one per line, without joining any consumer group, shaped "
                + "as the shipper options say (--event-profile, --drop-*, --sample-rate, --transactions).",
            "By default new events as they arrive (like tail -f); --from-beginning or --from TIME for older ones."})
public final class TapCommand implements Callable<Integer> {

    @Mixin
    private ShipperOptions shipper;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private ConfigFileOption configFile;

    @Option(names = "--from-beginning", description = "Start at the oldest event Kafka still holds.")
    private boolean fromBeginning;

    @Option(names = "--from", paramLabel = "TIME", description = "Start at the first event received at or after TIME "
            + "(an ISO-8601 instant such as 2026-11-29T10:00:00Z).")
    private Instant from;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "Stop after printing N events; 0 runs until Ctrl-C. Default: ${DEFAULT-VALUE}.")
    private long count;

    /** tap commits nothing: a half it pairs holds no offset. */
    private static final Runnable NOTHING_HELD = () -> { };

    /** Events printed so far (the tap thread's). */
    private long printed;

    @Override
    public Integer call() throws Exception {
        ShipperConfig config = shipper.toConfig(kafka, null);
        // As the shipper would send them: the same shaping (profile, filters, sampling).
        ComponentMetrics tapMetrics = new ComponentMetrics(new SimpleMeterRegistry(), "tap", config.shipperId());
        HecRouting routing = config.hec().routing();
        LiveShaping shaping = LiveShaping.start(config.shaping(), tapMetrics, Shipper.routingWatched(routing));
        RecordRenderer renderer = new EventShaper(shaping, new HecEventRenderer(new HecEventRenderer.Settings(
                routing, EventProfile.FULL, config.shaping().privacy(), config.shaping().enrichment())),
                new DropCounters(tapMetrics), null);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaSettings.consumer(config.kafka().bootstrap(),
                null, "dnstap-tap", config.kafka().properties()));
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        TransactionPairing pairing = config.transactions().enabled() ? new TransactionPairing(config.transactions(),
                (partition, transaction) -> print(transaction, renderer, out), tapMetrics, Time.SYSTEM) : null;
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> tap(consumer, config.kafka().topic(), renderer,
                pairing, out));
        Lifecycle.runUntil("tap", consumer::wakeup, done);
        Throwable failure = done.handle((ignored, error) -> error).join();
        consumer.close(Duration.ofSeconds(5));
        shaping.close();
        out.flush();
        if (failure != null) { // for the command line to report (Kafka's refusal in one line), never swallowed
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                    : failure;
            throw cause instanceof Exception exception ? exception : new IllegalStateException(cause);
        }
        return 0;
    }

    /** Prints events until {@code --count} or a stop; with {@code pairing}, a transaction's as it ends. */
    private void tap(KafkaConsumer<byte[], byte[]> consumer, String topic, RecordRenderer renderer,
            TransactionPairing pairing, PrintStream out) {
        position(consumer, topic);
        try {
            while (count == 0 || printed < count) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (count != 0 && printed >= count) {
                        break;
                    }
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (pairing != null) {
                        pairing.advance(partition, record.timestamp());
                    }
                    if ((pairing == null || !pairing.offer(partition, record, half -> NOTHING_HELD)) && print(record,
                            renderer, out)) {
                        printed++;
                    }
                }
                if (pairing != null) {
                    pairing.expire(consumer);
                }
                out.flush();
            }
        } catch (WakeupException stopped) {
            // Ctrl-C or SIGTERM: stop quietly
        }
    }

    private void position(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        if (from != null) {
            new Bounds(from, null).resolve(consumer, topic).start().forEach(consumer::seek);
        } else if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
    }

    /** A transaction's event, as the shipper would send it; counted when printed. */
    private void print(Transaction<HeldRecord> transaction, RecordRenderer renderer, PrintStream out) {
        if (count != 0 && printed >= count) {
            return;
        }
        HeldRecord half = transaction.query() != null ? transaction.query() : transaction.response();
        try {
            byte[] event = renderer.render(transaction.kind(), value(transaction.query()), value(transaction.response()),
                    null);
            if (event != null) {
                out.write(event, 0, event.length);
                out.write('\n');
                printed++;
            }
        } catch (InvalidProtocolBufferException e) {
            out.flush();
            System.err.println(half.record().topic() + "-" + half.record().partition() + "@" + half.record().offset()
                    + ": not a dnstap event (" + e.getMessage() + ")");
        }
    }

    private static byte[] value(HeldRecord half) {
        return half == null ? null : half.record().value();
    }

    /**
     * Prints the record's event as the shipper would send it; returns false when shaping drops it,
     * or when it is not one (then says so on standard error).
     */
    private static boolean print(ConsumerRecord<byte[], byte[]> record, RecordRenderer renderer, PrintStream out) {
        try {
            if (record.value() == null) {
                throw new InvalidProtocolBufferException("the record has no value");
            }
            byte[] event = renderer.render(record.value());
            if (event == null) {
                return false;
            }
            out.write(event, 0, event.length);
            out.write('\n');
            return true;
        } catch (InvalidProtocolBufferException e) {
            out.flush();
            System.err.println(record.topic() + "-" + record.partition() + "@" + record.offset()
                    + ": not a dnstap event (" + e.getMessage() + ")");
            return false;
        }
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new TapCommand(), System.getenv(), args));
    }
}
