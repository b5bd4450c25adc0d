package io.dnstapforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WatchdogTest {

    private final AtomicLong now = new AtomicLong();
    private final Watchdog watchdog = new Watchdog(now::get);

    @Test
    void namesACallThatRunsPastItsLimitAndForgetsItWhenItEnds() {
        Watchdog.Call call = watchdog.enter("sending a request to HEC", Duration.ofSeconds(45));
        now.addAndGet(Duration.ofSeconds(45).toNanos());
        assertThat(watchdog.overdue()).as("at the limit").isEmpty();

        now.addAndGet(Duration.ofSeconds(50).toNanos());

        assertThat(watchdog.overdue()).containsExactly(Thread.currentThread().getName()
                + " has been sending a request to HEC for 95 s (limit 45 s)");
        call.close();
        assertThat(watchdog.overdue()).isEmpty();
    }

    @Test
    void aNewCallOfTheSameThreadReplacesItsLastOneAndAnOldCloseDoesNotEndTheNew() {
        Watchdog.Call first = watchdog.enter("polling", Duration.ofSeconds(1));
        Watchdog.Call second = watchdog.enter("committing", Duration.ofSeconds(1));
        first.close();
        now.addAndGet(Duration.ofSeconds(2).toNanos());

        assertThat(watchdog.overdue()).singleElement().asString().contains("has been committing");
        second.close();
    }
}
