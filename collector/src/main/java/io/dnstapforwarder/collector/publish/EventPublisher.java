package io.dnstapforwarder.collector.publish;

/**
 * Takes serialized dnstap events from connection readers and makes them durable. Blocks when too
 * much is outstanding: that is how the collector stops reading sockets when Kafka is slow or
 * down, instead of growing without bound.
 */
public interface EventPublisher {

    /**
     * Hands over one event. Returns once the event is queued for delivery; blocks while the
     * publisher is at its limit of outstanding bytes.
     *
     * @throws InterruptedException when the reader is interrupted while blocked (shutdown)
     */
    void publish(byte[] event) throws InterruptedException;

    /** Bytes handed over and not yet acknowledged. */
    long outstandingBytes();
}
