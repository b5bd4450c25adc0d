package io.dnstapforwarder.shipper.hec;

import io.dnstapforwarder.shipper.batch.BatchEntry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Rendered events sent in one request, each with the Kafka records it came from (for committing
 * and, should HEC reject it, for the dead-letter topic). The compressed body is made once and
 * kept, however many times the request is retried.
 */
public final class HecRequest {

    /** One rendered event and what it comes from: a record, or the records of a DNS transaction. */
    public record Event(BatchEntry source, byte[] json) {

        public Event(ConsumerRecord<byte[], byte[]> record, byte[] json) {
            this(BatchEntry.of(record), json);
        }
    }

    private final List<Event> events;
    private final long bytes;
    private byte[] compressed;
    private int compressedAtLevel = -1;

    public HecRequest(List<Event> events) {
        this.events = List.copyOf(events);
        this.bytes = this.events.stream().mapToLong(event -> event.json().length + 1).sum();
    }

    /**
     * Splits events into requests of at most {@code maxBytes} each (a larger single event goes
     * alone): the one place {@code --batch-bytes} applies, to the bytes HEC receives.
     */
    public static List<HecRequest> split(List<Event> events, long maxBytes) {
        List<HecRequest> requests = new ArrayList<>();
        List<Event> current = new ArrayList<>();
        long size = 0;
        for (Event event : events) {
            long eventBytes = event.json().length + 1L;
            if (!current.isEmpty() && size + eventBytes > maxBytes) {
                requests.add(new HecRequest(current));
                current = new ArrayList<>();
                size = 0;
            }
            current.add(event);
            size += eventBytes;
        }
        if (!current.isEmpty()) {
            requests.add(new HecRequest(current));
        }
        return requests;
    }

    public List<Event> events() {
        return events;
    }

    /** Every record the events come from, in order (a transaction's query first). */
    public List<ConsumerRecord<byte[], byte[]>> records() {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(events.size());
        events.forEach(event -> records.addAll(event.source().records()));
        return records;
    }

    /** What the events come from, one entry per event: to render again. */
    public List<BatchEntry> sources() {
        return events.stream().map(Event::source).toList();
    }

    public int size() {
        return events.size();
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }

    /** Bytes of the uncompressed body. */
    public long bytes() {
        return bytes;
    }

    /** The events {@code [from, to)} as a request of their own. */
    public HecRequest slice(int from, int to) {
        return new HecRequest(events.subList(from, to));
    }

    /** The body HEC takes: the events, one per line. */
    public byte[] body() {
        byte[] body = new byte[Math.toIntExact(bytes)];
        int at = 0;
        for (Event event : events) {
            byte[] json = event.json();
            System.arraycopy(json, 0, body, at, json.length);
            at += json.length;
            body[at++] = '\n';
        }
        return body;
    }

    /** The body, gzip-compressed at {@code level} (1 fastest, 9 smallest), made on first use and kept for retries. */
    public synchronized byte[] gzippedBody(int level) {
        if (compressed == null || compressedAtLevel != level) {
            compressed = Gzip.compress(events.stream().map(Event::json).toList(), level);
            compressedAtLevel = level;
        }
        return compressed;
    }
}
