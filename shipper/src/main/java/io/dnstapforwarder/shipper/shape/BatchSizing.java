package io.dnstapforwarder.shipper.shape;

import java.util.function.IntSupplier;

/**
 * How many records a batch takes so that it still makes a request of about {@code --batch-size}
 * events when shaping drops most of them: {@code --batch-size} divided by the share of records
 * kept lately, at most {@link #MAX_FACTOR} times it (the batch byte limit bounds memory anyway).
 * With 1-in-10 sampling a batch of 1,000 records made a request of 100 events, and the
 * shipper's few batches in flight spent their time in round trips, not in work. The share is
 * measured again every {@link #WINDOW} records, so a changed shaping file is followed.
 * Called on the consumer thread as each batch opens.
 */
public final class BatchSizing implements IntSupplier {

    static final int MAX_FACTOR = 10;
    static final long WINDOW = 20_000;

    private final int eventsPerRequest;
    private final DropCounters counts;
    private long keptBefore;
    private long droppedBefore;
    private int records;

    public BatchSizing(int eventsPerRequest, DropCounters counts) {
        this.eventsPerRequest = eventsPerRequest;
        this.counts = counts;
        this.records = eventsPerRequest;
    }

    @Override
    public int getAsInt() {
        long kept = counts.kept();
        long dropped = counts.total();
        long seen = kept - keptBefore + dropped - droppedBefore;
        if (seen >= WINDOW) {
            double share = (double) (kept - keptBefore) / seen;
            records = (int) Math.min((long) eventsPerRequest * MAX_FACTOR,
                    Math.max(eventsPerRequest, Math.round(eventsPerRequest / Math.max(share, 1e-9))));
            keptBefore = kept;
            droppedBefore = dropped;
        }
        return records;
    }
}
