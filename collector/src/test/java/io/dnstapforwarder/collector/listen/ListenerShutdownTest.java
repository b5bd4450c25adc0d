package io.dnstapforwarder.collector.listen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnstapforwarder.collector.monitor.CollectorMetrics;
import io.dnstapforwarder.testkit.TestTime;
import io.dnstapforwarder.time.Time;
import io.dnstapforwarder.collector.publish.EventPublisher;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamFile;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import io.dnstapforwarder.metrics.ComponentMetrics;
import io.dnstapforwarder.testkit.FrameStreamTestClient;
import io.dnstapforwarder.testkit.LogLines;
import io.dnstapforwarder.testkit.TestData;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a listener does with what it read when the collector stops: publish it, waiting for Kafka
 * a while; count it, loudly, if it cannot; never take a connection in while closing. The
 * publisher here is a gate the test opens, standing for a Kafka that is slow or gone.
 */
@Timeout(60)
class ListenerShutdownTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CollectorMetrics metrics = new CollectorMetrics(new ComponentMetrics(registry, "collector", "test"),
            100, Time.SYSTEM);
    private final Semaphore kafkaTakes = new Semaphore(0);
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final EventPublisher slowKafka = new EventPublisher() {
        @Override
        public void publish(byte[] event) throws InterruptedException {
            waiting.incrementAndGet();
            try {
                kafkaTakes.acquire();
            } finally {
                waiting.decrementAndGet();
            }
            published.incrementAndGet();
        }

        @Override
        public long outstandingBytes() {
            return 0;
        }
    };
    private List<byte[]> capture;
    private Path socket;
    private SocketListener listener;

    @BeforeEach
    void setUp() throws Exception {
        capture = FrameStreamFile.readAll(TestData.path(TestData.UNBOUND_SMALL), DnstapEvents.DNSTAP_CONTENT_TYPE)
                .subList(0, 50);
        socket = dir.resolve("dnstap.sock");
        listener = SocketListener.start(new ListenEndpoint.Unix(socket, null), new SocketListener.Context("test",
                slowKafka, new Connections(10, 0, Time.SYSTEM, registry, io.micrometer.core.instrument.Tags.empty()),
                65_536, metrics, TestTime.recording(), Duration.ZERO, java.util.List.of()));
    }

    /** Sends the frames on one connection and waits until the listener is stuck publishing the first. */
    private SocketChannel sendWhileKafkaTakesNothing() throws Exception {
        SocketChannel channel = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket));
        FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, true);
        for (byte[] frame : capture) {
            writer.write(frame);
        }
        writer.flush();
        await().atMost(WAIT).until(() -> waiting.get() == 1);
        return channel;
    }

    @Test
    void publishesWhatItReadBeforeItStopsWhenKafkaTakesItInTime() throws Exception {
        try (SocketChannel ignored = sendWhileKafkaTakesNothing()) {
            CompletableFuture<Void> closing = CompletableFuture.runAsync(listener::close);
            Thread.sleep(300); // the listener is closing and its reader waits for Kafka, not interrupted
            kafkaTakes.release(capture.size());

            closing.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }

        assertThat(published.get()).as("every frame the reader had read").isPositive();
        assertThat(registry.find("dnstap.component.discarded.events").counter().count()).isZero();
    }

    @Test
    void countsWhatItReadAndCouldNotPublishWhenKafkaNeverTakesIt() throws Exception {
        try (LogLines lines = LogLines.of(ConnectionReader.class); SocketChannel ignored = sendWhileKafkaTakesNothing()) {
            listener.close(); // Kafka takes nothing: after the reader's time to flush, it is interrupted

            double lost = registry.find("dnstap.component.discarded.events").counter().count();
            assertThat(lost).as("the frame being published and the read ones after it").isPositive();
            assertThat(published.get()).isZero();
            assertThat(lines.messages()).anyMatch(line -> line.contains("frames read from the socket were not published "
                    + "before shutdown"));
        }
    }

    @Test
    void takesNoConnectionInWhileClosing() throws Exception {
        AtomicInteger connected = new AtomicInteger();
        Thread dialing = new Thread(() -> {
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            for (int attempt = 0; attempt < 2_000 && System.nanoTime() < end; attempt++) {
                try (SocketChannel channel = FrameStreamTestClient.connect(UnixDomainSocketAddress.of(socket))) {
                    connected.incrementAndGet();
                } catch (java.io.IOException refused) {
                    return; // the listener is gone
                }
            }
        });
        dialing.start();
        await().atMost(WAIT).until(() -> connected.get() > 20);

        listener.close();
        dialing.join(WAIT.toMillis());

        assertThat(registry.find("dnstap.collector.connections.active").gauge().value()).isZero();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread -> thread.getName().startsWith("dnstap-conn-")
                && thread.isAlive());
    }
}
