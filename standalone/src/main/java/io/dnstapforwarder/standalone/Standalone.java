package io.dnstapforwarder.standalone;

import io.dnstapforwarder.collector.Collector;
import io.dnstapforwarder.collector.CollectorConfig;
import io.dnstapforwarder.config.ConfigException;
import io.dnstapforwarder.kafka.embedded.EmbeddedKafka;
import io.dnstapforwarder.shipper.Shipper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process: embedded Kafka, then the collector and the shipper. Stops in
 * the reverse order, so that what the collector read reaches Kafka and what the shipper fetched
 * reaches HEC before Kafka goes.
 */
public final class Standalone implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Standalone.class);

    private final EmbeddedKafka kafka;
    private final Collector collector;
    private final Shipper shipper;

    private Standalone(EmbeddedKafka kafka, Collector collector, Shipper shipper) {
        this.kafka = kafka;
        this.collector = collector;
        this.shipper = shipper;
    }

    public static Standalone start(StandaloneConfig config) throws IOException {
        requireFreePort(config);
        EmbeddedKafka kafka = EmbeddedKafka.start(config.kafkaDataDir(), config.kafkaListen().host(),
                config.kafkaListen().port(), Map.of());
        Collector collector = null;
        try {
            kafka.createTopic(config.collector().topic(), config.partitions());
            kafka.createTopic(config.shipper().kafka().deadLetterTopic(), 1);
            collector = Collector.start(config.collector());
            Shipper shipper = Shipper.start(config.shipper());
            Standalone standalone = new Standalone(kafka, collector, shipper);
            standalone.describe(config);
            return standalone;
        } catch (IOException | RuntimeException e) {
            if (collector != null) {
                collector.close();
            }
            kafka.close();
            throw e;
        }
    }

    private void describe(StandaloneConfig config) {
        StringBuilder text = new StringBuilder("dnstap-forwarder is running. Point DNS servers at ");
        CollectorConfig.Listen listen = config.collector().listen();
        if (listen.socketPath() != null) {
            text.append("unix socket ").append(listen.socketPath().toAbsolutePath());
        }
        if (listen.tcp() != null) {
            text.append(listen.socketPath() != null ? " or " : "").append("tcp ").append(listen.tcp());
        }
        text.append("; events go to ").append(config.shipper().destination());
        if (collector.monitoringPort() > 0) {
            text.append("; ops: http://").append(config.collector().monitoring().endpoint().host()).append(':')
                    .append(collector.monitoringPort()).append("/ (collector), http://")
                    .append(config.shipper().monitoring().host()).append(':').append(shipper.monitoringPort())
                    .append("/ (shipper)");
        }
        log.info("{}. Ctrl-C stops.", text);
    }

    public Collector collector() {
        return collector;
    }

    public Shipper shipper() {
        return shipper;
    }

    @Override
    public void close() {
        collector.close();
        shipper.close();
        kafka.close();
    }

    /** A clear message instead of Kafka's bind failure when something else holds the port. */
    private static void requireFreePort(StandaloneConfig config) {
        if (config.kafkaListen().port() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(config.kafkaListen().host(), config.kafkaListen().port()));
        } catch (IOException e) {
            throw new ConfigException("Cannot listen for the embedded Kafka on " + config.kafkaListen() + " (" + e.getMessage()
                    + "): another Kafka may be running there. Set --kafka-bootstrap (DNSTAP_KAFKA_BOOTSTRAP) to a free "
                    + "address, or use the collector and shipper commands against that Kafka.");
        }
    }
}
