package io.dnstapforwarder.shipper.shape;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dnstapforwarder.event.DnstapEvents;
import io.dnstapforwarder.shipper.render.HecEventRenderer;
import java.util.function.Supplier;

/**
 * The shipper's renderer of records: drops what the shaping rules drop, deciding on the few bytes
 * {@link DnstapPeek} reads before anything is built, and renders the rest with the rules' profile
 * and sample rate. The rules are asked for each record, so a changed rule applies at once.
 * One per worker thread.
 */
public final class EventShaper implements RecordRenderer {

    private final Supplier<ShapingRules> rules;
    private final HecEventRenderer renderer;
    private final DropCounters drops;
    private final ServerMeters.Local servers;
    private final DnstapPeek peek = new DnstapPeek();

    /** @param servers counts each record per DNS server; {@code null} for no such counting */
    public EventShaper(Supplier<ShapingRules> rules, HecEventRenderer renderer, DropCounters drops,
            ServerMeters servers) {
        this.rules = rules;
        this.renderer = renderer;
        this.drops = drops;
        this.servers = servers == null ? null : servers.local();
    }

    @Override
    public byte[] render(byte[] recordValue) throws InvalidProtocolBufferException {
        ShapingRules current = rules.get();
        boolean needsPeek = current.dropsAnything() || servers != null;
        if (needsPeek) {
            boolean readable = peek.read(recordValue);
            if (servers != null) {
                servers.count(peek);
            }
            ShapingRules.Drop drop = readable && current.dropsAnything() ? current.dropReason(peek) : null;
            if (drop != null) { // an unreadable record is never dropped: the renderer keeps it or dead-letters it
                drops.dropped(drop);
                return null;
            }
        }
        drops.countKept();
        return renderer.render(DnstapEvents.parse(recordValue), current.profile(), current.sampleRate());
    }
}
