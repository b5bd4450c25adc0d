package io.dnstapforwarder.shipper.batch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Rendered events sent in one request, each with the Kafka record it came from (for committing
 * and, should HEC reject it, for the dead-letter topic). The compressed body is made once and
 * kept, however many times the request is retried.
 */
public final class Batch {

    /** One rendered event and its source record. */
    public record Entry(ConsumerRecord<byte[], byte[]> record, byte[] event) {

        public TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }
    }

    private final List<Entry> entries;
    private final long bytes;
    private byte[] compressed;
    private int compressedAtLevel = -1;

    public Batch(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        this.bytes = this.entries.stream().mapToLong(entry -> entry.event().length + 1).sum();
    }

    /** Splits events into batches of at most {@code maxBytes} each (a larger single event goes alone). */
    public static List<Batch> split(List<Entry> entries, long maxBytes) {
        List<Batch> batches = new ArrayList<>();
        List<Entry> current = new ArrayList<>();
        long size = 0;
        for (Entry entry : entries) {
            long entryBytes = entry.event().length + 1L;
            if (!current.isEmpty() && size + entryBytes > maxBytes) {
                batches.add(new Batch(current));
                current = new ArrayList<>();
                size = 0;
            }
            current.add(entry);
            size += entryBytes;
        }
        if (!current.isEmpty()) {
            batches.add(new Batch(current));
        }
        return batches;
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<ConsumerRecord<byte[], byte[]>> records() {
        return entries.stream().map(Entry::record).toList();
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Bytes of the uncompressed body. */
    public long bytes() {
        return bytes;
    }

    /** The events {@code [from, to)} as a batch of their own. */
    public Batch slice(int from, int to) {
        return new Batch(entries.subList(from, to));
    }

    /** The body HEC takes: the events, one per line. */
    public byte[] body() {
        byte[] body = new byte[Math.toIntExact(bytes)];
        int at = 0;
        for (Entry entry : entries) {
            byte[] event = entry.event();
            System.arraycopy(event, 0, body, at, event.length);
            at += event.length;
            body[at++] = '\n';
        }
        return body;
    }

    /**
     * The body, gzip-compressed at {@code level} (1 fastest, 9 smallest), made on first use and
     * kept for retries. The body is given to the compressor whole: event by event (two small
     * writes each) took a third longer (GzipBenchmark).
     */
    public synchronized byte[] gzippedBody(int level) {
        if (compressed == null || compressedAtLevel != level) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(bytes / 4 + 64, Integer.MAX_VALUE - 8));
            try (GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024) {
                {
                    def.setLevel(level);
                }
            }) {
                gzip.write(body());
            } catch (IOException e) {
                throw new UncheckedIOException("compressing in memory failed", e);
            }
            compressed = out.toByteArray();
            compressedAtLevel = level;
        }
        return compressed;
    }
}
