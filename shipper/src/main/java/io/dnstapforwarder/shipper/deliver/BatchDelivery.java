package io.dnstapforwarder.shipper.deliver;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.logging.RateLimitedLogger;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.metrics.Stage;
import io.dnstapforwarder.shipper.batch.RecordBatch;
import io.dnstapforwarder.shipper.deadletter.DeadLetterPublisher;
import io.dnstapforwarder.shipper.deadletter.DeadLetterReason;
import io.dnstapforwarder.shipper.hec.AckTracker;
import io.dnstapforwarder.shipper.hec.HecRequest;
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
     * @param acks indexer acknowledgement ({@link AckTracker#NONE} when HEC's success is enough)
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
        List<HecRequest.Event> rendered = new ArrayList<>(records.size());
        List<ConsumerRecord<byte[], byte[]>> undecodable = new ArrayList<>();
        String undecodableReason = null;
        for (ConsumerRecord<byte[], byte[]> record : records.records()) {
            try {
                if (record.value() == null) {
                    throw new InvalidProtocolBufferException("the record has no value");
                }
                rendered.add(new HecRequest.Event(record, renderer.render(DnstapEvents.parse(record.value()))));
            } catch (InvalidProtocolBufferException e) {
                undecodable.add(record);
                undecodableReason = "the record is not a dnstap event: " + e.getMessage();
            }
        }
        if (!undecodable.isEmpty()) {
            context.metrics().error("undecodable_record", Stage.PROCESSING);
            deadLetter(undecodable, new DeadLetterReason(undecodableReason, "undecodable_record",
                    context.clock().instant(), 1));
        }
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        for (HecRequest request : HecRequest.split(rendered, context.maxRequestBytes())) {
            confirmations.add(send(request));
        }
        return allOf(confirmations);
    }

    /** Sends one request, isolating and dead-lettering the events HEC rejects; the future confirms the rest. */
    private CompletableFuture<Void> send(HecRequest request) throws InterruptedException {
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        Deque<HecRequest> todo = new ArrayDeque<>();
        todo.push(request);
        while (!todo.isEmpty()) {
            HecRequest next = todo.pop();
            context.deliveryMetrics().request(next);
            Sender.Sent sent = context.sender().send(next);
            if (sent.outcome() instanceof Outcome.Delivered delivered) {
                confirmations.add(confirm(next, sent.endpoint(), delivered.ackId()));
            } else {
                isolate(next, (Outcome.Rejected) sent.outcome(), todo);
            }
        }
        return allOf(confirmations);
    }

    /** Completes when HEC reports the accepted request indexed; sends it again when HEC does not in time. */
    private CompletableFuture<Void> confirm(HecRequest request, Endpoint endpoint, long ackId) {
        CompletableFuture<Boolean> acknowledged = context.acks().indexed(endpoint.sink(), ackId);
        if (acknowledged.isDone() && acknowledged.getNow(false)) {
            context.metrics().sent(request.size(), request.bytes());
            return CompletableFuture.completedFuture(null);
        }
        return acknowledged.thenComposeAsync(indexed -> {
            if (indexed) {
                context.metrics().sent(request.size(), request.bytes());
                return CompletableFuture.<Void>completedFuture(null);
            }
            try {
                return send(request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.<Void>failedFuture(e);
            }
        }, context.resender());
    }

    private static CompletableFuture<Void> allOf(List<CompletableFuture<Void>> futures) {
        return futures.size() == 1 ? futures.get(0) : CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    }

    private void isolate(HecRequest request, Outcome.Rejected rejected, Deque<HecRequest> todo) throws InterruptedException {
        context.metrics().error(rejected.errorCode(), Stage.SENDING);
        limitedLog.warn("rejected", "HEC rejected a request of {} events ({}); isolating the bad events", request.size(),
                rejected.reason());
        DeadLetterReason failure = new DeadLetterReason(rejected.reason(), rejected.errorCode(),
                context.clock().instant(), 1);
        int bad = rejected.invalidEventNumber();
        if (bad >= 0 && bad < request.size()) {
            HecRequest indexed = request.slice(0, bad);
            context.metrics().sent(indexed.size(), indexed.bytes());
            deadLetter(request.slice(bad, bad + 1).records(), failure);
            if (bad + 1 < request.size()) {
                todo.push(request.slice(bad + 1, request.size()));
            }
        } else if (request.size() > 1) {
            int half = request.size() / 2;
            todo.push(request.slice(half, request.size()));
            todo.push(request.slice(0, half));
        } else {
            deadLetter(request.records(), failure);
        }
    }

    /** Puts records on the dead-letter topic, retrying until Kafka has them: a record is never just dropped. */
    private void deadLetter(List<ConsumerRecord<byte[], byte[]>> records, DeadLetterReason failure)
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
