package io.dnstapforwarder.collector.listen;

import static io.dnstapforwarder.collector.listen.ReadBacklog.STILL_READING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The backlog is what a reader took from a wake-up until the socket was empty, counted once. */
class ReadBacklogTest {

    @Test
    void readsThatFillTheBufferAddUpUntilOneLeavesRoom() {
        ReadBacklog backlog = new ReadBacklog();
        assertThat(backlog.afterRead(65_536, false)).isEqualTo(STILL_READING);
        assertThat(backlog.afterRead(131_072, false)).isEqualTo(STILL_READING);
        assertThat(backlog.afterRead(10_000, true)).isEqualTo(206_608);
        assertThat(backlog.afterRead(130, true)).isEqualTo(130); // the next wake-up starts afresh
    }

    @Test
    void nothingReadIsNoBacklog() {
        ReadBacklog backlog = new ReadBacklog();
        assertThat(backlog.afterRead(0, true)).isEqualTo(STILL_READING);
        assertThat(backlog.afterRead(-1, true)).isEqualTo(STILL_READING); // the end of the stream
    }

    /** Whatever the reads, every byte is in exactly one backlog or still being read, and each emptying read reports. */
    @Property
    void everyByteReadIsInOneBacklog(@ForAll @Size(max = 50) List<@IntRange(min = 0, max = 300_000) Integer> reads,
            @ForAll @Size(max = 50) List<Boolean> emptied) {
        ReadBacklog backlog = new ReadBacklog();
        long read = 0;
        long reported = 0;
        long pending = 0;
        for (int i = 0; i < reads.size(); i++) {
            boolean empty = i < emptied.size() && emptied.get(i);
            read += reads.get(i);
            pending += reads.get(i);
            long taken = backlog.afterRead(reads.get(i), empty);
            if (empty && pending > 0) {
                assertThat(taken).isEqualTo(pending);
                reported += taken;
                pending = 0;
            } else {
                assertThat(taken).isEqualTo(STILL_READING);
            }
        }
        assertThat(reported + pending).isEqualTo(read);
    }
}
