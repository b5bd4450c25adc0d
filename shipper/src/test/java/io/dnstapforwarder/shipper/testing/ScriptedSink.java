package io.dnstapforwarder.shipper.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnstapforwarder.shipper.hec.EventSink;
import io.dnstapforwarder.shipper.hec.HecRequest;
import io.dnstapforwarder.shipper.hec.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An {@link EventSink} for tests that need no HEC: it answers each request as scripted (by
 * default, delivered), keeps every event it was sent, and reports as indexed the ack ids a test
 * marks. Thread-safe.
 */
public final class ScriptedSink implements EventSink {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the sink answers a request. */
    @FunctionalInterface
    public interface Answer {
        Outcome answer(HecRequest request) throws InterruptedException;
    }

    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private volatile Answer otherwise = request -> new Outcome.Delivered(-1);
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final List<Integer> requestSizes = new CopyOnWriteArrayList<>();
    private final Set<Long> indexed = new HashSet<>();
    private volatile IOException ackQueryFailure;

    /** The next request gets this answer (answers queue up in order). */
    public ScriptedSink then(Outcome outcome) {
        script.add(request -> outcome);
        return this;
    }

    /** The next request is answered by {@code answer}. */
    public ScriptedSink thenAnswer(Answer answer) {
        script.add(answer);
        return this;
    }

    /** Requests past the script are answered by {@code answer}. */
    public ScriptedSink otherwise(Answer answer) {
        this.otherwise = answer;
        return this;
    }

    /** Delivered, once {@code release} is counted down: a request held in flight for as long as a test needs. */
    public static Answer deliveredAfter(CountDownLatch release) {
        return request -> {
            release.await();
            return new Outcome.Delivered(-1);
        };
    }

    /** Answers by the events' numbers ({@code event.connection_id}): rejected when {@code bad} holds for one. */
    public static Answer rejectingWhen(Function<Long, Boolean> bad, Outcome rejected) {
        return request -> numbers(request).stream().anyMatch(bad::apply) ? rejected : new Outcome.Delivered(-1);
    }

    @Override
    public Outcome deliver(HecRequest request) throws InterruptedException {
        requestSizes.add(request.size());
        for (HecRequest.Event event : request.events()) {
            events.add(parse(event.json()));
        }
        Answer answer = script.poll();
        return (answer != null ? answer : otherwise).answer(request);
    }

    /** Every event sent, in order, whatever the answer. */
    public List<JsonNode> events() {
        return List.copyOf(events);
    }

    /** The numbers of the events sent, in order. */
    public List<Long> numbers() {
        return events.stream().map(event -> event.at("/event/connection_id").asLong()).toList();
    }

    /** The events of each request, in order. */
    public List<Integer> requestSizes() {
        return List.copyOf(requestSizes);
    }

    /** Ack ids the next ack query reports as indexed. */
    public synchronized void markIndexed(long... ackIds) {
        for (long id : ackIds) {
            indexed.add(id);
        }
    }

    /** Ack queries fail with this until it is set to null. */
    public void failAckQueries(IOException failure) {
        this.ackQueryFailure = failure;
    }

    @Override
    public synchronized Set<Long> indexed(Collection<Long> ackIds) throws IOException {
        if (ackQueryFailure != null) {
            throw ackQueryFailure;
        }
        Set<Long> answer = new HashSet<>(ackIds);
        answer.retainAll(indexed);
        indexed.removeAll(answer);
        return answer;
    }

    @Override
    public String describe() {
        return "scripted sink";
    }

    @Override
    public void close() {
    }

    /** The numbers of the events of a request ({@code event.connection_id}), in order. */
    public static List<Long> numbers(HecRequest request) {
        List<Long> numbers = new ArrayList<>();
        for (HecRequest.Event event : request.events()) {
            numbers.add(parse(event.json()).at("/event/connection_id").asLong());
        }
        return numbers;
    }

    private static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(new String(json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
