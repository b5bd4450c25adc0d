package io.dnstapforwarder.bench;

import io.dnstapforwarder.config.HostPort;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Plays many DNS servers at once: sends dnstap over N Frame Streams connections (Unix or TCP) to
 * a collector, at full speed or at a target rate (one frame per write at Poisson times, as a DNS
 * server sends), and measures what counts, frames per second
 * acknowledged by Kafka, from the topic's end offsets (independent of the collector's own
 * counters). Frames come from a capture ({@code .fstrm} or {@code .fstrm.zst}), pre-encoded in
 * memory so that the sender is not the bottleneck ({@code fstrm_replay} is: FACTS.md).
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Send dnstap to a collector over N connections and report frames/s acknowledged by Kafka.")
public final class LoadGenerator implements Callable<Integer> {

    private static final int FULL_SPEED_RUN = 4096;

    @Option(names = "--capture", required = true, description = "Capture to replay: .fstrm or .fstrm.zst.")
    private Path capture;

    @Option(names = "--unix", description = "Collector's Unix socket.")
    private Path unix;

    @Option(names = "--tcp", converter = HostPort.Converter.class, description = "Collector's TCP address.")
    private HostPort tcp;

    @Option(names = "--connections", defaultValue = "1", description = "Concurrent connections. Default: ${DEFAULT-VALUE}.")
    private int connections;

    @Option(names = "--frames", defaultValue = "10000000",
            description = "Frames to send in all (the capture repeats). Default: ${DEFAULT-VALUE}.")
    private long frames;

    @Option(names = "--duration-sec", defaultValue = "120", description = "Stop sending after this long. Default: ${DEFAULT-VALUE}.")
    private long durationSec;

    @Option(names = "--rate", defaultValue = "0", description = "Frames/s over all connections; 0 for full speed.")
    private long rate;

    @Option(names = "--bidirectional", defaultValue = "true", arity = "1", description = "Handshake mode. Default: ${DEFAULT-VALUE}.")
    private boolean bidirectional;

    @Option(names = "--kafka-bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka, to count acknowledged frames.")
    private String bootstrap;

    @Option(names = "--kafka-topic", defaultValue = "dnstap.events", description = "Topic the collector publishes to.")
    private String topic;

    @Option(names = "--warmup-sec", defaultValue = "10",
            description = "Seconds left out of the reported median. Default: ${DEFAULT-VALUE}.")
    private int warmupSec;

    @Override
    public Integer call() throws Exception {
        if ((unix == null) == (tcp == null)) {
            throw new IllegalArgumentException("give exactly one of --unix and --tcp");
        }
        Capture encoded = Capture.read(capture);
        System.out.printf(Locale.ROOT, "capture: %d frames, mean %.1f bytes%n", encoded.count(), encoded.meanFrameBytes());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "default.api.timeout.ms", 3000,
                "request.timeout.ms", 3000))) {
            long start = endOffset(admin);
            AtomicLong sent = new AtomicLong();
            CountDownLatch done = new CountDownLatch(connections);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSec);
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                long share = frames / connections + (i < frames % connections ? 1 : 0);
                long seed = i;
                Thread sender = new Thread(() -> {
                    try {
                        if (rate > 0) {
                            // As a DNS server sends: one frame per write, at Poisson times.
                            new PacedSender(encoded, address(), (double) rate / connections, bidirectional,
                                    () -> sent.get() < frames && System.nanoTime() < deadline, sent, seed).run();
                        } else {
                            send(encoded, share, deadline, sent);
                        }
                    } catch (IOException e) {
                        System.err.println("sender failed: " + e);
                    } finally {
                        done.countDown();
                    }
                }, "sender-" + i);
                senders.add(sender);
            }
            long began = System.nanoTime();
            senders.forEach(Thread::start);
            List<Double> perSecond = new ArrayList<>();
            long previous = start;
            long previousAt = began;
            long sentTotal = 0;
            boolean sending = true;
            while (sending || ackedOrUnknown(admin, previous) - start < sent.get()) {
                sending = !done.await(1, TimeUnit.SECONDS);
                long now = System.nanoTime();
                long acked = ackedOrUnknown(admin, previous);
                double ratePerSec = (acked - previous) / ((now - previousAt) / 1e9);
                long elapsed = TimeUnit.NANOSECONDS.toSeconds(now - began);
                System.out.printf(Locale.ROOT, "t=%3ds sent=%,d acked=%,d rate=%,.0f/s%n", elapsed, sent.get(), acked - start,
                        ratePerSec);
                if (elapsed >= warmupSec && acked > previous) {
                    perSecond.add(ratePerSec);
                }
                previous = acked;
                previousAt = now;
                sentTotal = sent.get();
                if (now - began > TimeUnit.SECONDS.toNanos(durationSec + 120)) {
                    System.out.println("giving up waiting for Kafka to acknowledge everything");
                    break;
                }
            }
            double seconds = (previousAt - began) / 1e9;
            Collections.sort(perSecond);
            System.out.printf(Locale.ROOT, "RESULT connections=%d sent=%,d acked=%,d seconds=%.1f mean=%,.0f/s median=%,.0f/s%n",
                    connections, sentTotal, previous - start, seconds, (previous - start) / seconds,
                    perSecond.isEmpty() ? 0.0 : perSecond.get(perSecond.size() / 2));
        }
        return 0;
    }

    /** One connection at full speed: repeats the capture until its share is sent or the deadline passes. */
    private void send(Capture encoded, long share, long deadline, AtomicLong sent) throws IOException {
        try (SocketChannel channel = SocketChannel.open(unix != null ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET)) {
            channel.connect(address());
            try (FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, bidirectional)) {
                long left = share;
                int at = 0;
                while (left > 0 && System.nanoTime() < deadline) {
                    int count = (int) Math.min(Math.min(FULL_SPEED_RUN, left), encoded.count() - at);
                    writer.writeFramed(encoded.frames(at, count));
                    at = (at + count) % encoded.count();
                    left -= count;
                    sent.addAndGet(count);
                }
            }
        }
    }

    private SocketAddress address() {
        return unix != null ? UnixDomainSocketAddress.of(unix) : tcp.toSocketAddress();
    }

    /** The topic's end offsets, or {@code fallback} while Kafka does not answer (an outage under test). */
    private long ackedOrUnknown(Admin admin, long fallback) throws InterruptedException {
        try {
            return endOffset(admin);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            System.out.println("kafka does not answer: " + e.getMessage());
            return fallback;
        }
    }

    private long endOffset(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }
}
