package io.dnstapforwarder.shipper.consume;

import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.shipper.batch.HeldRecord;
import io.dnstapforwarder.shipper.pair.PairingSettings;
import io.dnstapforwarder.shipper.pair.Transaction;
import io.dnstapforwarder.shipper.pair.TransactionKind;
import io.dnstapforwarder.shipper.pair.TransactionPairer;
import io.dnstapforwarder.time.Time;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --transactions} on the consumer thread: each record that is a half of a DNS transaction
 * (a query or response it can key, {@link TransactionKey}) is held in the {@link OffsetLedger}
 * and given to the {@link TransactionPairer}; what the pairer ends goes on as one event. A record it
 * cannot key goes on alone, as without pairing. ({@code tap} pairs with it too, holding nothing.)
 *
 * <p>Time is each partition's stream time: the latest Kafka timestamp read from it (when the
 * collector received the frame). A partition read up to its end follows the wall clock too
 * ({@link #CAUGHT_UP_SLACK_MS} behind), so the last query of a quiet server still ends; one that is
 * paused, or was a turn ago, does not (its partners may be unread in Kafka).
 */
public final class TransactionPairing {

    private static final Logger log = LoggerFactory.getLogger(TransactionPairing.class);

    /**
     * How long a response waits for a query read after it: a server writes the query first, and
     * only its threads or connections racing each other reorder them, by milliseconds.
     */
    static final long RESPONSE_WAIT_MS = 2_000;
    /** How far behind the wall clock a caught-up partition's clock runs: what the collector's linger and a fetch take. */
    static final long CAUGHT_UP_SLACK_MS = 1_000;

    private final TransactionPairer<HeldRecord> pairer;
    private final BiConsumer<TopicPartition, Transaction<HeldRecord>> out;
    private final Time time;
    private final DnstapPeek peek = new DnstapPeek();
    private final Map<TopicPartition, Long> streamTime = new HashMap<>();
    private final List<Transaction<HeldRecord>> ended = new ArrayList<>();
    private final Map<TransactionKind, Counter> events = new EnumMap<>(TransactionKind.class);
    private Set<TopicPartition> pausedBefore = Set.of();
    private boolean warnedUnkeyed;
    private volatile int pendingNow;
    private volatile long oldestAgeMillis;
    private volatile long evicted;

    /** @param out where each transaction that ended goes, with its partition */
    public TransactionPairing(PairingSettings settings, BiConsumer<TopicPartition, Transaction<HeldRecord>> out,
            ComponentMetrics metrics, Time time) {
        this.pairer = new TransactionPairer<>(settings.window().toMillis(),
                Math.min(RESPONSE_WAIT_MS, settings.window().toMillis()), settings.maxPending());
        this.out = out;
        this.time = time;
        for (TransactionKind kind : TransactionKind.values()) {
            events.put(kind, Counter.builder("dnstap.shipper.transactions")
                    .description("DNS transactions made into one event each, by kind: a query paired with its response, "
                            + "a query unanswered within the window, a response whose query never came")
                    .tags(metrics.tags()).tag("kind", kind.fieldValue()).register(metrics.registry()));
        }
        Gauge.builder("dnstap.shipper.transactions.pending", this, pairing -> pairing.pendingNow)
                .description("Queries and responses waiting for their partner (their offsets not committed meanwhile)")
                .tags(metrics.tags()).register(metrics.registry());
        Gauge.builder("dnstap.shipper.transactions.oldest.pending.age", this, pairing -> pairing.oldestAgeMillis / 1000.0)
                .baseUnit("seconds").description("How long the oldest waiting query or response has waited, by its "
                        + "partition's stream time").tags(metrics.tags()).register(metrics.registry());
        FunctionCounter.builder("dnstap.shipper.transactions.evicted", this, pairing -> pairing.evicted)
                .description("Queries and responses sent unpaired before their time because --transaction-max-pending "
                        + "waited already").tags(metrics.tags()).register(metrics.registry());
    }

    /**
     * Takes a record to pair: true when it is a half (held now, its event to come), false when it
     * cannot be keyed and goes on alone.
     *
     * @param hold holds a half's offset back from the commit; what it returns releases it
     */
    public boolean offer(TopicPartition partition, ConsumerRecord<byte[], byte[]> record,
            Function<ConsumerRecord<byte[], byte[]>, Runnable> hold) {
        if (record.value() == null || !peek.read(record.value())) {
            return false;
        }
        TransactionKey key = TransactionKey.of(peek);
        if (key == null) {
            return false;
        }
        if (record.key() == null && !warnedUnkeyed) {
            warnedUnkeyed = true; // once: a rolling upgrade of the collectors passes
            log.warn("Pairing a record {}-{}@{} without a key: the collector that published it does not run "
                    + "--partition-key transaction, so its queries and responses may be on different partitions and "
                    + "end unpaired (said once)", record.topic(), record.partition(), record.offset());
        }
        Transaction<HeldRecord> paired = pairer.offer(new HeldRecord(record, hold.apply(record)), key, peek.isQuery(),
                partition, record.timestamp(), ended);
        if (paired != null) {
            emit(partition, paired);
        }
        emitEnded();
        return true;
    }

    /** The latest timestamp read from the partition in a poll: its stream time moves on. */
    public void advance(TopicPartition partition, long timestampMillis) {
        streamTime.merge(partition, timestampMillis, Math::max);
    }

    /** Ends what waited long enough by its partition's clock; once a turn. */
    public void expire(Consumer<?, ?> consumer) {
        Set<TopicPartition> paused = consumer.paused();
        long wall = time.now().toEpochMilli() - CAUGHT_UP_SLACK_MS;
        Set<TopicPartition> stopped = new HashSet<>(paused);
        stopped.addAll(pausedBefore);
        ToLongFunction<TopicPartition> clock = partition -> {
            Long seen = streamTime.get(partition);
            long read = seen == null ? TransactionPairer.STOPPED : seen;
            if (stopped.contains(partition)) {
                return read;
            }
            OptionalLong lag = consumer.currentLag(partition);
            return lag.isPresent() && lag.getAsLong() == 0 ? Math.max(read, wall) : read;
        };
        pairer.expire(clock, ended);
        emitEnded();
        pausedBefore = paused;
        pendingNow = pairer.pending();
        oldestAgeMillis = pairer.oldestAgeMillis(clock);
        evicted = pairer.evicted();
    }

    /**
     * Forgets the halves of partitions gone to another owner, without sending them: their offsets
     * were held, so the new owner reads and pairs them again.
     */
    public void forget(Collection<TopicPartition> partitions) {
        pairer.forget(partitions);
        partitions.forEach(streamTime::remove);
        pendingNow = pairer.pending();
    }

    /** Ends every waiting half: a bounded run read all it will read. */
    public void endAll() {
        pairer.endAll(ended);
        emitEnded();
        pendingNow = 0;
        oldestAgeMillis = 0;
    }

    /** For /stats; any thread. */
    public Stats stats() {
        Map<String, Long> byKind = new LinkedHashMap<>();
        events.forEach((kind, counter) -> byKind.put(kind.fieldValue(), (long) counter.count()));
        return new Stats(pendingNow, oldestAgeMillis / 1000.0, byKind, evicted);
    }

    /**
     * Halves waiting for their partner, how long the oldest has waited, the transactions made by
     * kind, and the halves ended early because too many waited.
     */
    public record Stats(int pending, double oldestPendingAgeSeconds, Map<String, Long> events, long evicted) {
    }

    private void emitEnded() {
        if (ended.isEmpty()) {
            return;
        }
        for (Transaction<HeldRecord> transaction : ended) {
            ConsumerRecord<byte[], byte[]> record = (transaction.query() != null ? transaction.query()
                    : transaction.response()).record();
            emit(new TopicPartition(record.topic(), record.partition()), transaction);
        }
        ended.clear();
    }

    private void emit(TopicPartition partition, Transaction<HeldRecord> transaction) {
        events.get(transaction.kind()).increment();
        out.accept(partition, transaction);
    }
}
