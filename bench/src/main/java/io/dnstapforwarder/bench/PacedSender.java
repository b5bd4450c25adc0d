package io.dnstapforwarder.bench;

import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.fstrm.FrameStreamWriter;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * One connection to the collector, sending frames of a capture. Paced, it sends as a DNS server
 * does: one frame per write, at exponentially distributed intervals (Poisson arrivals at
 * {@code rate} a second), not in bursts. At full speed ({@code rate} 0) it writes runs of
 * frames as fast as the collector takes them.
 */
public final class PacedSender implements Runnable {

    private static final int FULL_SPEED_RUN = 4096;

    private final Capture capture;
    private final SocketAddress address;
    private final double rate;
    private final BooleanSupplier sending;
    private final AtomicLong sent;
    private final boolean bidirectional;
    private final SplittableRandom random;

    /**
     * @param rate frames a second on this connection, on average; 0 for full speed
     * @param sending asked before each frame: false ends the connection
     * @param sent counts the frames written
     */
    public PacedSender(Capture capture, SocketAddress address, double rate, boolean bidirectional, BooleanSupplier sending,
            AtomicLong sent, long seed) {
        this.capture = capture;
        this.address = address;
        this.rate = rate;
        this.bidirectional = bidirectional;
        this.sending = sending;
        this.sent = sent;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public void run() {
        try (SocketChannel channel = SocketChannel.open(address instanceof UnixDomainSocketAddress
                ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET)) {
            channel.connect(address);
            try (FrameStreamWriter writer = FrameStreamWriter.open(channel, DnstapEvents.DNSTAP_CONTENT_TYPE, bidirectional)) {
                if (rate > 0) {
                    sendPaced(writer);
                } else {
                    sendFlatOut(writer);
                }
            }
        } catch (IOException e) {
            System.err.println("sender failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendPaced(FrameStreamWriter writer) throws IOException, InterruptedException {
        int at = random.nextInt(capture.count());
        long due = System.nanoTime();
        while (sending.getAsBoolean()) {
            // Exponential inter-arrival times: a Poisson process of `rate` frames a second.
            due += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            writer.writeFramed(capture.frames(at, 1)); // one write per frame, as a DNS server's dnstap thread does
            sent.incrementAndGet();
            at = (at + 1) % capture.count();
        }
    }

    private void sendFlatOut(FrameStreamWriter writer) throws IOException {
        int at = 0;
        while (sending.getAsBoolean()) {
            int count = Math.min(FULL_SPEED_RUN, capture.count() - at);
            writer.writeFramed(capture.frames(at, count));
            sent.addAndGet(count);
            at = (at + count) % capture.count();
        }
        writer.flush();
    }
}
