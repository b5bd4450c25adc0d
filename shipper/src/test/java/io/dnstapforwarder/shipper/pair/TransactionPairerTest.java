package io.dnstapforwarder.shipper.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnstapforwarder.dnstap.Message;
import io.dnstapforwarder.event.DnstapPeek;
import io.dnstapforwarder.event.TransactionKey;
import io.dnstapforwarder.testkit.TransactionFrames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Queries meet their responses in either order; what meets nothing ends, bounded, and nothing ends twice. */
class TransactionPairerTest {

    private static final long WINDOW = 10_000;
    private static final long RESPONSE_WAIT = 2_000;
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private final TransactionPairer<String> pairer = new TransactionPairer<>(WINDOW, RESPONSE_WAIT, 1000);
    private final List<Transaction<String>> ended = new ArrayList<>();

    @Test
    void pairsAQueryWithItsResponseInEitherOrder() {
        assertThat(pairer.offer("q1", key(1), true, P0, 0, ended)).isNull();
        assertThat(pairer.offer("r1", key(1), false, P0, 5, ended))
                .isEqualTo(new Transaction<>(TransactionKind.PAIRED, "q1", "r1"));

        assertThat(pairer.offer("r2", key(2), false, P0, 10, ended)).isNull();
        assertThat(pairer.offer("q2", key(2), true, P1, 15, ended))
                .isEqualTo(new Transaction<>(TransactionKind.PAIRED, "q2", "r2"));

        assertThat(pairer.pending()).isZero();
        assertThat(ended).isEmpty();
    }

    @Test
    void pairsHalvesOfOneKeyFirstComeFirstServed() {
        pairer.offer("q1", key(7), true, P0, 0, ended);
        pairer.offer("q2", key(7), true, P0, 1, ended); // the client reused its port and id, same question

        assertThat(pairer.offer("r1", key(7), false, P0, 2, ended).query()).isEqualTo("q1");
        assertThat(pairer.offer("r2", key(7), false, P0, 3, ended).query()).isEqualTo("q2");
    }

    @Test
    void endsAResponseWithoutItsQueryAfterItsWaitAndAQueryNobodyAnsweredAfterTheWindow() {
        pairer.offer("q", key(1), true, P0, 0, ended);
        pairer.offer("r", key(2), false, P0, 1, ended);
        pairer.offer("late", key(3), true, P0, WINDOW, ended);

        pairer.expire(partition -> RESPONSE_WAIT, ended);
        assertThat(ended).isEmpty();
        pairer.expire(partition -> RESPONSE_WAIT + 1, ended);
        assertThat(ended).containsExactly(new Transaction<>(TransactionKind.RESPONSE_ONLY, null, "r"));

        pairer.expire(partition -> WINDOW, ended);
        assertThat(ended).endsWith(new Transaction<>(TransactionKind.UNANSWERED, "q", null));
        assertThat(pairer.waiting()).containsExactly("late");
        assertThat(pairer.oldestAgeMillis(partition -> WINDOW + 1)).isEqualTo(1);
    }

    @Test
    void aClockSteppedBackEndsNoHalfEarlyAndNoneLaterThanTheOnesBeforeIt() {
        pairer.offer("q1", key(1), true, P0, 50_000, ended);
        pairer.offer("q2", key(2), true, P0, 20_000, ended); // the collector's clock stepped back 30 s

        pairer.expire(partition -> 50_000, ended);
        assertThat(ended).as("q1 is not due, so nothing behind it ends").isEmpty();

        pairer.expire(partition -> 60_000, ended);
        assertThat(ended).extracting(Transaction::query).containsExactly("q1", "q2");
    }

    @Test
    void neverPairsAResponseToAnotherQuestionWithTheSameId() {
        pairer.offer("q", key(1), true, P0, 0, ended);

        assertThat(pairer.offer("r", key(1, "www.example.org"), false, P0, 1, ended)).isNull();
        assertThat(pairer.pending()).isEqualTo(2);
    }

    @Test
    void leavesTheHalvesOfAPartitionItCannotReadWaiting() {
        pairer.offer("q0", key(1), true, P0, 0, ended);
        pairer.offer("q1", key(2), true, P1, 0, ended);

        pairer.expire(partition -> partition.equals(P1) ? TransactionPairer.STOPPED : 2 * WINDOW, ended);

        assertThat(ended).extracting(Transaction::query).containsExactly("q0");
        assertThat(pairer.waiting()).containsExactly("q1");
    }

    @Test
    void endsTheOldestAtOnceWhenTooManyWaitAndCountsThem() {
        TransactionPairer<String> small = new TransactionPairer<>(WINDOW, RESPONSE_WAIT, 3);
        for (int i = 0; i < 5; i++) {
            small.offer("q" + i, key(i), true, i % 2 == 0 ? P0 : P1, i, ended);
        }

        assertThat(ended).extracting(Transaction::query).containsExactly("q0", "q1");
        assertThat(small.pending()).isEqualTo(3);
        assertThat(small.evicted()).isEqualTo(2);
    }

    @Test
    void forgetsThePartitionsItNoLongerOwnsWithoutEndingTheirHalves() {
        pairer.offer("q0", key(1), true, P0, 0, ended);
        pairer.offer("q1", key(2), true, P1, 0, ended);

        assertThat(pairer.forget(List.of(P1))).isEqualTo(1);

        assertThat(ended).isEmpty();
        assertThat(pairer.waiting()).containsExactly("q0");
        assertThat(pairer.offer("r1", key(2), false, P0, 1, ended)).as("forgotten: no partner any more").isNull();
    }

    /**
     * Whatever arrives, in whatever order, with whatever pauses: every half ends exactly once
     * (paired, unpaired, or forgotten with its partition), a pair is a query and a response of one
     * key, and never more than the bound wait.
     */
    @Property(tries = 300)
    void everyHalfEndsExactlyOnce(@ForAll("arrivals") List<int[]> arrivals) {
        int maxPending = 20;
        TransactionPairer<Integer> bounded = new TransactionPairer<>(WINDOW, RESPONSE_WAIT, maxPending);
        List<Transaction<Integer>> done = new ArrayList<>();
        Map<Integer, int[]> halves = new HashMap<>();
        Set<TopicPartition> forgotten = new HashSet<>();
        long now = 0;
        int forgottenHalves = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            int[] arrival = arrivals.get(i); // key, query?, partition, milliseconds later, action
            now += arrival[3];
            TopicPartition partition = new TopicPartition("t", arrival[2]);
            if (arrival[4] == 0 && !forgotten.contains(partition)) {
                forgottenHalves += bounded.forget(List.of(partition));
                forgotten.add(partition);
                continue;
            }
            forgotten.remove(partition);
            halves.put(i, arrival);
            Transaction<Integer> paired = bounded.offer(i, key(arrival[0]), arrival[1] == 1, partition, now, done);
            if (paired != null) {
                done.add(paired);
            }
            long clock = now;
            bounded.expire(p -> clock, done);
            assertThat(bounded.pending()).isLessThanOrEqualTo(maxPending);
        }
        bounded.endAll(done);

        List<Integer> endedHalves = new ArrayList<>();
        for (Transaction<Integer> transaction : done) {
            if (transaction.kind() == TransactionKind.PAIRED) {
                int[] query = halves.get(transaction.query());
                int[] response = halves.get(transaction.response());
                assertThat(query[1]).isEqualTo(1);
                assertThat(response[1]).isZero();
                assertThat(query[0]).isEqualTo(response[0]);
            }
            if (transaction.query() != null) {
                endedHalves.add(transaction.query());
            }
            if (transaction.response() != null) {
                endedHalves.add(transaction.response());
            }
        }
        assertThat(endedHalves).doesNotHaveDuplicates();
        assertThat(endedHalves.size() + forgottenHalves).isEqualTo(halves.size());
        assertThat(bounded.pending()).isZero();
    }

    @Provide
    Arbitrary<List<int[]>> arrivals() {
        Arbitrary<int[]> arrival = Arbitraries.integers().between(0, 15).flatMap(key ->
                Arbitraries.integers().between(0, 1).flatMap(query ->
                        Arbitraries.integers().between(0, 2).flatMap(partition ->
                                Arbitraries.of(0, 1, 3, 5_000, 11_000).flatMap(later ->
                                        Arbitraries.integers().between(0, 40).map(action ->
                                                new int[] {key, query, partition, later, action})))));
        return arrival.list().ofMaxSize(200);
    }

    private static TransactionKey key(int id) {
        return key(id, "www.example.com");
    }

    /** The key of a CLIENT_QUERY with DNS id {@code id} for {@code name}, as the collector and shipper read it. */
    private static TransactionKey key(int id, String name) {
        DnstapPeek peek = new DnstapPeek();
        peek.read(TransactionFrames.half(Message.Type.CLIENT_QUERY, "ns1", 53000, id, name, 1));
        return TransactionKey.of(peek);
    }
}
