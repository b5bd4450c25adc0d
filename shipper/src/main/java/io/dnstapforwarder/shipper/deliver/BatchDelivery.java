package io.dnstapforwarder.shipper.deliver;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.retry.Backoff;
import io.dnstapforwarder.shipper.batch.BatchEntry;
import io.dnstapforwarder.shipper.batch.HeldRecord;
import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.shipper.deadletter.DeadLetterPublisher;
import io.dnstapforwarder.shipper.deadletter.DeadLetterReason;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.hec.HecRequest;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.pair.Transaction;
import io.dnstapforwarder.shipper.shape.RecordRenderer;
import io.dnstapforwarder.time.Time;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one batch of records, on a worker thread: renders each record, splits the events into
 * requests of at most the byte limit, sends them, and settles every record as delivered (with
 * indexer acknowledgement: indexed) or dead-lettered. Only then is the batch reported complete; a
 * batch interrupted half way (shutdown, rebalance) reports nothing, so none of its records is
 * committed and Kafka gives them out again.
 *
 * <p>Every record ends delivered or dead-lettered, whatever it holds and whatever goes wrong:
 * <ul>
 *   <li>A record that is not a dnstap event, or that fails to render, is dead-lettered alone
 *       ({@code undecodable_record}, {@code render_failed} with the exception); the rest goes on.
 *   <li>When HEC rejects data, the events before the one it names count as delivered (with
 *       indexer acknowledgement they are sent again, for an ackId), that one is dead-lettered, the
 *       rest is sent again; when it names none, the request is halved until the
 *       bad events are alone. A request too large for HEC (413) is halved the same way.
 *   <li>A fault of the shipper's own (an exception, not HEC's answer) is retried with backoff,
 *       then the records are halved until the one it comes from is alone and dead-lettered
 *       ({@code delivery_failed}).
 *   <li>While the dead-letter topic does not take records, or the {@link DeadLetterGate} is
 *       closed, the records wait here and their partition is reported stalled.
 * </ul>
 */
final class BatchDelivery {

    private static final Logger log = LoggerFactory.getLogger(BatchDelivery.class);
    /** Attempts at records that fault before they are halved. */
    static final int FAULT_ATTEMPTS = 3;
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /**
     * What every delivery shares.
     *
     * @param renderers per worker thread, what makes a HEC event of a record (or drops it, shaping)
     * @param acks indexer acknowledgement ({@link AckTracker#NONE} when HEC's success is enough)
     * @param resender where requests HEC did not acknowledge in time are sent again (the worker pool)
     * @param retries the waits between attempts after a fault, and while dead letters cannot be written
     */
    record Context(ThreadLocal<RecordRenderer> renderers, long maxRequestBytes, Sender sender,
            DeadLetterPublisher deadLetters, DeadLetterGate gate, AckTracker acks, Executor resender, Backoff retries, Time time, ComponentMetrics metrics,
            DeliveryMetrics deliveryMetrics) {
    }

    private final Context context;
    private final RateLimitedLogger limitedLog = new RateLimitedLogger(log);

    BatchDelivery(Context context) {
        this.context = context;
    }

    /**
     * Sends every record of the batch or dead-letters it; returns when that is done, with a future
     * that completes once HEC has also acknowledged every request it accepted (at once without
     * indexer acknowledgement). Only then is the batch settled.
     *
     * @param hold where this delivery says its partition cannot go on (and that it can again)
     */
    CompletableFuture<Void> deliver(RecordBatch batch, PartitionStalls.Hold hold) throws InterruptedException {
        return deliverGuarded(hold, batch.entries());
    }

    /** Delivers events; a fault of ours is retried, then the events are halved until the culprit is alone. */
    private CompletableFuture<Void> deliverGuarded(PartitionStalls.Hold hold, List<BatchEntry> entries)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return deliverOnce(hold, entries);
            } catch (RuntimeException fault) {
                context.metrics().error("delivery_failed", Stage.PROCESSING);
                limitedLog.error("fault", "Delivering {} events of {} failed (attempt {} of {}): {}", entries.size(),
                        hold, attempt, FAULT_ATTEMPTS, fault.toString(), fault);
                if (attempt < FAULT_ATTEMPTS) {
                    context.time().sleep(context.retries().delay(attempt));
                    continue;
                }
                if (entries.size() == 1) {
                    deadLetter(hold, entries.get(0).records(),
                            DeadLetterReason.fault("delivery_failed", fault, context.time().now()));
                    return DONE;
                }
                int half = entries.size() / 2;
                return allOf(List.of(deliverGuarded(hold, entries.subList(0, half)),
                        deliverGuarded(hold, entries.subList(half, entries.size()))));
            }
        }
    }

    private CompletableFuture<Void> deliverOnce(PartitionStalls.Hold hold, List<BatchEntry> entries)
            throws InterruptedException {
        RecordRenderer renderer = context.renderers().get();
        List<HecRequest.Event> rendered = new ArrayList<>(entries.size());
        for (BatchEntry entry : entries) {
            if (entry.transaction() == null) {
                render(hold, renderer, entry, rendered);
            } else {
                render(hold, renderer, entry.transaction(), rendered);
            }
        }
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        for (HecRequest request : HecRequest.split(rendered, context.maxRequestBytes())) {
            confirmations.add(send(hold, request));
        }
        return allOf(confirmations);
    }

    /** Renders a record's event into {@code rendered}, or dead-letters the record. */
    private void render(PartitionStalls.Hold hold, RecordRenderer renderer, BatchEntry entry,
            List<HecRequest.Event> rendered) throws InterruptedException {
        ConsumerRecord<byte[], byte[]> record = entry.record();
        DeadLetterReason unrenderable = attempt(record, () -> {
            if (record.value() == null) {
                throw new InvalidProtocolBufferException("the record has no value");
            }
            return renderer.render(record.value());
        }, entry, rendered);
        if (unrenderable != null) {
            deadLetter(hold, List.of(record), unrenderable);
        }
    }

    /**
     * Renders a transaction's event into {@code rendered}. When a pair will not render as one, each
     * half is tried alone: what renders goes on, saying what became of the other, and only a half
     * that does not render is dead-lettered; it never holds its partner back.
     */
    private void render(PartitionStalls.Hold hold, RecordRenderer renderer, Transaction<HeldRecord> transaction,
            List<HecRequest.Event> rendered) throws InterruptedException {
        HeldRecord query = transaction.query();
        HeldRecord response = transaction.response();
        DeadLetterReason failure = attempt(query != null ? query.record() : response.record(),
                () -> renderer.render(transaction.kind(), value(query), value(response), null),
                BatchEntry.of(transaction), rendered);
        if (failure == null) {
            return;
        }
        if (query == null || response == null) {
            deadLetter(hold, BatchEntry.of(transaction).records(), failure);
            return;
        }
        List<HecRequest.Event> scratch = new ArrayList<>(1);
        DeadLetterReason queryFailure = attempt(query.record(),
                () -> renderer.render(transaction.kind(), value(query), null, null), null, scratch);
        DeadLetterReason responseFailure = attempt(response.record(),
                () -> renderer.render(transaction.kind(), null, value(response), null), null, scratch);
        for (boolean isQuery : new boolean[] {true, false}) {
            HeldRecord half = isQuery ? query : response;
            DeadLetterReason own = isQuery ? queryFailure : responseFailure;
            DeadLetterReason other = isQuery ? responseFailure : queryFailure;
            if (own != null) {
                deadLetter(hold, List.of(half.record()), own);
                continue;
            }
            String why = other != null
                    ? "its " + (isQuery ? "response" : "query") + " could not be rendered and is on the dead-letter topic: "
                            + other.reason()
                    : "the query and its response could not be rendered as one event (" + failure.reason()
                            + "); they are sent apart";
            Transaction<HeldRecord> alone = new Transaction<>(transaction.kind(), isQuery ? half : null,
                    isQuery ? null : half);
            attempt(half.record(), () -> renderer.render(transaction.kind(), isQuery ? value(half) : null,
                    isQuery ? null : value(half), why), BatchEntry.of(alone), rendered);
        }
    }

    private static byte[] value(HeldRecord half) {
        return half == null ? null : half.record().value();
    }

    private interface Rendering {
        byte[] render() throws InvalidProtocolBufferException;
    }

    /**
     * Renders an event and adds it to {@code rendered} (with {@code source}; nothing when shaping
     * drops it); returns null then, or why it failed, counted and logged.
     */
    private DeadLetterReason attempt(ConsumerRecord<byte[], byte[]> record, Rendering rendering, BatchEntry source,
            List<HecRequest.Event> rendered) {
        try {
            byte[] event = rendering.render();
            if (event != null && source != null) { // null: shaping dropped it (and counted it); settled all the same
                rendered.add(new HecRequest.Event(source, event));
            }
            return null;
        } catch (InvalidProtocolBufferException e) {
            context.metrics().error("undecodable_record", Stage.PROCESSING);
            return DeadLetterReason.of("the record is not a dnstap event: " + e.getMessage(), "undecodable_record",
                    context.time().now());
        } catch (RuntimeException e) {
            context.metrics().error("render_failed", Stage.PROCESSING);
            limitedLog.error("render", "Rendering record {}-{}@{} failed; it goes to the dead-letter topic: {}",
                    record.topic(), record.partition(), record.offset(), e.toString(), e);
            return DeadLetterReason.fault("render_failed", e, context.time().now());
        }
    }

    /** Sends one request, isolating and dead-lettering the events HEC rejects; the future confirms the rest. */
    private CompletableFuture<Void> send(PartitionStalls.Hold hold, HecRequest request) throws InterruptedException {
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        Deque<HecRequest> todo = new ArrayDeque<>();
        todo.push(request);
        while (!todo.isEmpty()) {
            HecRequest next = todo.pop();
            context.deliveryMetrics().request(next);
            Sender.Sent sent = context.sender().send(next);
            if (sent.outcome() instanceof Outcome.Delivered delivered) {
                confirmations.add(confirm(hold, next, sent.endpoint(), delivered.ackId()));
            } else if (sent.outcome() instanceof Outcome.TooLarge tooLarge) {
                context.metrics().error(tooLarge.errorCode(), Stage.SENDING);
                limitedLog.warn("too-large", "HEC found a request of {} events, {} bytes, too large ({}); sending it "
                        + "again in halves (lower --batch-bytes)", next.size(), next.bytes(), tooLarge.reason());
                halve(hold, next, tooLarge.reason(), tooLarge.errorCode(), todo);
            } else {
                isolate(hold, next, (Outcome.Rejected) sent.outcome(), todo);
            }
        }
        return allOf(confirmations);
    }

    /** Completes when HEC reports the accepted request indexed; sends it again when HEC does not in time. */
    private CompletableFuture<Void> confirm(PartitionStalls.Hold hold, HecRequest request, Endpoint endpoint, long ackId) {
        CompletableFuture<Boolean> acknowledged = context.acks().indexed(endpoint.sink(), ackId);
        if (acknowledged.isDone() && acknowledged.getNow(false)) {
            counted(request);
            return DONE;
        }
        return acknowledged.thenComposeAsync(indexed -> {
            if (indexed) {
                counted(request);
                return DONE;
            }
            try {
                return deliverGuarded(hold, request.sources());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.<Void>failedFuture(e);
            }
        }, context.resender());
    }

    private void counted(HecRequest request) {
        context.metrics().sent(request.size(), request.bytes());
        context.gate().delivered(request.size());
    }

    private static CompletableFuture<Void> allOf(List<CompletableFuture<Void>> futures) {
        return futures.size() == 1 ? futures.get(0) : CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    }

    private void isolate(PartitionStalls.Hold hold, HecRequest request, Outcome.Rejected rejected, Deque<HecRequest> todo)
            throws InterruptedException {
        context.metrics().error(rejected.errorCode(), Stage.SENDING);
        limitedLog.warn("rejected", "HEC rejected a request of {} events ({}); isolating the bad events", request.size(),
                rejected.reason());
        int bad = rejected.invalidEventNumber();
        if (bad >= 0 && bad < request.size()) {
            deadLetter(hold, request.slice(bad, bad + 1).records(),
                    DeadLetterReason.of(rejected.reason(), rejected.errorCode(), context.time().now()));
            if (bad + 1 < request.size()) {
                todo.push(request.slice(bad + 1, request.size()));
            }
            if (bad > 0) {
                if (context.acks().acknowledges()) {
                    // HEC took the events before the bad one, but an error answer carries no ackId, so
                    // nothing will ever say they were indexed: they are sent again, for one (at least
                    // once: Splunk may index them twice).
                    todo.push(request.slice(0, bad));
                } else {
                    counted(request.slice(0, bad));
                }
            }
        } else {
            halve(hold, request, rejected.reason(), rejected.errorCode(), todo);
        }
    }

    /** Sends the request again in two halves; a single event goes to the dead-letter topic. */
    private void halve(PartitionStalls.Hold hold, HecRequest request, String reason, String errorCode,
            Deque<HecRequest> todo) throws InterruptedException {
        if (request.size() > 1) {
            int half = request.size() / 2;
            todo.push(request.slice(half, request.size()));
            todo.push(request.slice(0, half));
        } else {
            deadLetter(hold, request.records(), DeadLetterReason.of(reason, errorCode, context.time().now()));
        }
    }

    /**
     * Puts records on the dead-letter topic, and returns only once Kafka has them: a record is never
     * just dropped. While the topic does not take them, or the gate is closed, it waits and says
     * so: the partition is stalled, with the reason.
     */
    private void deadLetter(PartitionStalls.Hold hold, List<ConsumerRecord<byte[], byte[]>> records, DeadLetterReason reason)
            throws InterruptedException {
        context.gate().rejected(records.size());
        for (int failures = 1; ; failures++) {
            String closed = context.gate().closedBecause();
            if (closed != null) {
                hold.stall(closed);
                context.time().sleep(context.retries().max());
                continue;
            }
            try {
                context.deadLetters().publish(records, reason);
                context.deliveryMetrics().deadLettered(records.size());
                hold.clear();
                return;
            } catch (RuntimeException e) {
                context.metrics().error("dead_letter_failed", Stage.SENDING);
                limitedLog.error("dead-letter", "The dead-letter topic {} did not take {} records of {} ({}); they wait, "
                        + "and the partition with them", context.deadLetters().topic(), records.size(), hold,
                        e.getMessage());
                hold.stall("the dead-letter topic " + context.deadLetters().topic()
                        + " does not take records: " + e.getMessage());
                context.time().sleep(context.retries().delay(failures));
            }
        }
    }
}
