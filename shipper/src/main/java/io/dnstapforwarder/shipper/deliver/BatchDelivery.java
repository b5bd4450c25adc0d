package io.dnstapforwarder.shipper.deliver;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.shipper.batch.Batch;
import io.dnstapforwarder.shipper.batch.RecordBatcher.RecordBatch;
import io.dnstapforwarder.shipper.hec.Outcome;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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
 * <p>When HEC rejects data: the events before the one it names count as delivered, that one is
 * dead-lettered, the rest is sent again; when it names none, the request is halved until the bad
 * events are alone. Records that are not dnstap events are dead-lettered at once.
 */
final class BatchDelivery {

    private static final Logger log = LoggerFactory.getLogger(BatchDelivery.class);
    private static final Duration DEAD_LETTER_RETRY = Duration.ofSeconds(1);

    /**
     * What every delivery shares.
     *
     * @param acks the indexer acknowledgement tracker, or {@code null} when HEC's success is enough
     * @param resender where requests HEC did not acknowledge in time are sent again (the worker pool)
     */
    record Context(ThreadLocal<HecEventRenderer> renderers, long maxRequestBytes, Sender sender,
            DeadLetterPublisher deadLetters, AckTracker acks, Executor resender, ComponentMetrics metrics,
            DeliveryMetrics deliveryMetrics, Clock clock) {
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
     */
    CompletableFuture<Void> deliver(RecordBatch records) throws InterruptedException {
        HecEventRenderer renderer = context.renderers().get();
        List<Batch.Entry> rendered = new ArrayList<>(records.size());
        List<ConsumerRecord<byte[], byte[]>> undecodable = new ArrayList<>();
        String undecodableReason = null;
        for (ConsumerRecord<byte[], byte[]> record : records.records()) {
            try {
                if (record.value() == null) {
                    throw new InvalidProtocolBufferException("the record has no value");
                }
                rendered.add(new Batch.Entry(record, renderer.render(DnstapEvents.parse(record.value()))));
            } catch (InvalidProtocolBufferException e) {
                undecodable.add(record);
                undecodableReason = "the record is not a dnstap event: " + e.getMessage();
            }
        }
        if (!undecodable.isEmpty()) {
            context.metrics().error("undecodable_record", Stage.PROCESSING);
            deadLetter(undecodable, new DeadLetterPublisher.Failure(undecodableReason, "undecodable_record",
                    context.clock().instant(), 1));
        }
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        for (Batch request : Batch.split(rendered, context.maxRequestBytes())) {
            confirmations.add(send(request));
        }
        return allOf(confirmations);
    }

    /** Sends one request, isolating and dead-lettering the events HEC rejects; the future confirms the rest. */
    private CompletableFuture<Void> send(Batch request) throws InterruptedException {
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        Deque<Batch> todo = new ArrayDeque<>();
        todo.push(request);
        while (!todo.isEmpty()) {
            Batch batch = todo.pop();
            context.deliveryMetrics().request(batch);
            Sender.Sent sent = context.sender().send(batch);
            if (sent.outcome() instanceof Outcome.Delivered delivered) {
                confirmations.add(confirm(batch, sent.endpoint(), delivered.ackId()));
            } else {
                isolate(batch, (Outcome.Rejected) sent.outcome(), todo);
            }
        }
        return allOf(confirmations);
    }

    /** Completes when HEC reports the accepted request indexed; sends it again when HEC does not in time. */
    private CompletableFuture<Void> confirm(Batch batch, Endpoint endpoint, long ackId) {
        if (context.acks() == null || ackId < 0) {
            if (context.acks() != null) {
                limitedLog.warn("no-ack-id", "{} accepted a request without an ackId: indexer acknowledgement is off "
                        + "for this token, so HTTP success counts as delivered", endpoint.sink().describe());
            }
            context.metrics().sent(batch.size(), batch.bytes());
            return CompletableFuture.completedFuture(null);
        }
        return context.acks().await(endpoint, ackId).thenComposeAsync(indexed -> {
            if (indexed) {
                context.metrics().sent(batch.size(), batch.bytes());
                return CompletableFuture.<Void>completedFuture(null);
            }
            try {
                return send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.<Void>failedFuture(e);
            }
        }, context.resender());
    }

    private static CompletableFuture<Void> allOf(List<CompletableFuture<Void>> futures) {
        return futures.size() == 1 ? futures.get(0) : CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    }

    private void isolate(Batch batch, Outcome.Rejected rejected, Deque<Batch> todo) throws InterruptedException {
        context.metrics().error(rejected.errorCode(), Stage.SENDING);
        limitedLog.warn("rejected", "HEC rejected a request of {} events ({}); isolating the bad events", batch.size(),
                rejected.reason());
        DeadLetterPublisher.Failure failure = new DeadLetterPublisher.Failure(rejected.reason(), rejected.errorCode(),
                context.clock().instant(), 1);
        int bad = rejected.invalidEventNumber();
        if (bad >= 0 && bad < batch.size()) {
            Batch indexed = batch.slice(0, bad);
            context.metrics().sent(indexed.size(), indexed.bytes());
            deadLetter(batch.slice(bad, bad + 1).records(), failure);
            if (bad + 1 < batch.size()) {
                todo.push(batch.slice(bad + 1, batch.size()));
            }
        } else if (batch.size() > 1) {
            int half = batch.size() / 2;
            todo.push(batch.slice(half, batch.size()));
            todo.push(batch.slice(0, half));
        } else {
            deadLetter(batch.records(), failure);
        }
    }

    /** Puts records on the dead-letter topic, retrying until Kafka has them: a record is never just dropped. */
    private void deadLetter(List<ConsumerRecord<byte[], byte[]>> records, DeadLetterPublisher.Failure failure)
            throws InterruptedException {
        while (true) {
            try {
                context.deadLetters().publish(records, failure);
                context.deliveryMetrics().deadLettered(records.size());
                return;
            } catch (RuntimeException e) {
                context.metrics().error("dead_letter_failed", Stage.SENDING);
                limitedLog.warn("dead-letter", "The dead-letter topic {} did not take {} records ({}); retrying",
                        context.deadLetters().topic(), records.size(), e.toString());
                TimeUnit.MILLISECONDS.sleep(DEAD_LETTER_RETRY.toMillis());
            }
        }
    }
}
