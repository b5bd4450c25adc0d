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
    private final DnstapPeek peek = new DnstapPeek();

    public EventShaper(Supplier<ShapingRules> rules, HecEventRenderer renderer, DropCounters drops) {
        this.rules = rules;
        this.renderer = renderer;
        this.drops = drops;
    }

    @Override
    public byte[] render(byte[] recordValue) throws InvalidProtocolBufferException {
        ShapingRules current = rules.get();
        if (current.dropsAnything() && peek.read(recordValue)) {
            ShapingRules.Drop drop = current.dropReason(peek);
            if (drop != null) {
                drops.dropped(drop);
                return null;
            }
        }
        return renderer.render(DnstapEvents.parse(recordValue), current.profile(), current.sampleRate());
    }
}
