package io.dnstapforwarder.shipper.shape;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import java.util.function.Supplier;

/**
 * Shaping and rendering in one, for a record at a time ({@code tap}, the JMH benchmark): drops what
 * the rules drop ({@link ShapingFilter}) and renders the rest with the rules' profile and sample
 * rate. The shipper itself decides on the consumer thread, before batching, and its workers only
 * render ({@link ShapedRenderer}). One per thread.
 */
public final class EventShaper implements RecordRenderer {

    private final ShapingFilter filter;
    private final ShapedRenderer renderer;

    /** @param servers counts each record per DNS server; {@code null} for no such counting */
    public EventShaper(Supplier<ShapingRules> rules, HecEventRenderer renderer, DropCounters drops,
            ServerMeters servers) {
        this.filter = new ShapingFilter(rules, drops, servers);
        this.renderer = new ShapedRenderer(rules, renderer, servers);
    }

    @Override
    public byte[] render(byte[] recordValue) throws InvalidProtocolBufferException {
        return filter.test(recordValue) ? renderer.render(recordValue) : null;
    }
}
