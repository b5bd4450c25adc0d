package io.dnstapforwarder.shipper.batch;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record read and kept from being committed (a DNS query waiting for its response, then riding in
 * the event of its transaction) until what carries it is settled: then {@code release} runs, on the
 * consumer thread.
 */
public record HeldRecord(ConsumerRecord<byte[], byte[]> record, Runnable release) {
}
