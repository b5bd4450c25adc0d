package io.dnstapforwarder.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.dnstapforwarder.event.DnstapEvent;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import io.dnstapforwarder.event.Transport;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes dnstap events as the collector does, each numbered: event {@code n} carries a real
 * Unbound frame and {@code n} as its connection id, which the HEC event keeps, so tests can check
 * event by event what arrived, what was lost and what came twice.
 */
public final class NumberedEvents implements AutoCloseable {

    /** The real frames of the Unbound capture, read once. */
    private static final class Frames {
        static final List<byte[]> ALL = read();

        private static List<byte[]> read() {
            try {
                return FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;

    public NumberedEvents(String bootstrap, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** How many distinct frames there are; events past that repeat them with new numbers. */
    public int distinctFrames() {
        return Frames.ALL.size();
    }

    public DnstapEvent event(long number) {
        return numbered(number);
    }

    /** Event {@code number}: a real frame, with the number as its connection id; no Kafka needed. */
    public static DnstapEvent numbered(long number) {
        List<byte[]> frames = Frames.ALL;
        return DnstapEvent.newBuilder().setFrame(ByteString.copyFrom(frames.get((int) (number % frames.size()))))
                .setContentType(DnstapEvents.DNSTAP_CONTENT_TYPE).setCollectorId("c").setConnectionId(number)
                .setTransport(Transport.UNIX).setPeerAddress("/s").setReceivedAtNs(1).build();
    }

    /** Publishes events [from, to), to {@code partition} unless it is null, and waits until Kafka has them. */
    public void produce(long from, long to, Integer partition) {
        produce(from, to, partition, null);
    }

    /** The same, each record timestamped {@code at} (null: now). */
    public void produce(long from, long to, Integer partition, java.time.Instant at) {
        for (long n = from; n < to; n++) {
            send(partition, at == null ? null : at.toEpochMilli(), event(n).toByteArray());
        }
        producer.flush();
    }

    /** Publishes any value, with the envelope's schema header, without waiting. */
    public void send(Integer partition, byte[] value) {
        send(partition, null, value);
    }

    /**
     * Publishes event {@code number} keyed as the collector's {@code --partition-key transaction}
     * keys it (a query and its response to one partition), without waiting.
     */
    public void sendKeyed(long number) {
        sendKeyed(number, null);
    }

    /** The same, the record timestamped {@code at} (null: now). */
    public void sendKeyed(long number, java.time.Instant at) {
        byte[] value = event(number).toByteArray();
        DnstapPeek peek = new DnstapPeek();
        peek.read(value);
        TransactionKey key = TransactionKey.of(peek);
        send(null, at == null ? null : at.toEpochMilli(), key == null ? null : key.partitionKey(), value);
    }

    private void send(Integer partition, Long timestamp, byte[] value) {
        send(partition, timestamp, null, value);
    }

    private void send(Integer partition, Long timestamp, byte[] key, byte[] value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, timestamp, key, value);
        record.headers().add(DnstapEvents.SCHEMA_HEADER, DnstapEvents.SCHEMA.getBytes(StandardCharsets.UTF_8));
        producer.send(record);
    }

    public void flush() {
        producer.flush();
    }

    /** The numbers of HEC events (their {@code event.connection_id}). */
    public static List<Long> numbers(List<JsonNode> hecEvents) {
        return hecEvents.stream().map(event -> event.at("/event/connection_id").asLong()).toList();
    }

    public static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    @Override
    public void close() {
        producer.close();
    }
}
