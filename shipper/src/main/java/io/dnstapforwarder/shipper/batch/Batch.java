package io.dnstapforwarder.shipper.batch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Events to be sent together, each with the Kafka record it came from (for committing and, should
 * HEC reject it, for the dead-letter topic). Immutable.
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

    public Batch(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        this.bytes = this.entries.stream().mapToLong(entry -> entry.event().length + 1).sum();
    }

    public List<Entry> entries() {
        return entries;
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

    /** This batch without the events of the given partitions. */
    public Batch without(Set<TopicPartition> partitions) {
        return new Batch(entries.stream().filter(entry -> !partitions.contains(entry.partition())).toList());
    }

    public Set<TopicPartition> partitions() {
        return entries.stream().map(Entry::partition).collect(Collectors.toSet());
    }

    /** The body HEC takes: the events, one per line. */
    public byte[] body() {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(bytes, Integer.MAX_VALUE - 8));
        writeBody(out);
        return out.toByteArray();
    }

    /** The body, gzip-compressed. */
    public byte[] gzippedBody() {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(bytes / 4 + 64, Integer.MAX_VALUE - 8));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024)) {
            writeBody(gzip);
        } catch (IOException e) {
            throw new UncheckedIOException("compressing in memory failed", e);
        }
        return out.toByteArray();
    }

    private void writeBody(java.io.OutputStream out) {
        try {
            for (Entry entry : entries) {
                out.write(entry.event());
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
