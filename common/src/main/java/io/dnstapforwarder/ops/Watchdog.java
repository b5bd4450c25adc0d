package io.dnstapforwarder.ops;

import io.dnstapforwarder.time.Time;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The calls that must end within a limit, behind the bounds they already have: a thread enters one
 * before a call that could block (a request to HEC, an ack query, a turn of the consumer loop) and
 * leaves it after. A call still running past its limit means a bound failed somewhere, a thread is
 * stuck and the service no longer does its job; {@link #overdue()} names it, and liveness
 * ({@code /health} 503) turns that into a restart by the orchestrator. Entering and leaving are a
 * map put and remove: cheap enough for once per request. Thread-safe.
 */
public final class Watchdog {

    /** Nothing watched: for parts used without a service around them (tests, tools). */
    public static final Watchdog NONE = new Watchdog(Time.SYSTEM::nanoTime);

    private final Map<Thread, Call> calls = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public Watchdog(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The current thread starts {@code what}, which must end within {@code limit}; close the call when it does. */
    public Call enter(String what, Duration limit) {
        Call call = new Call(Thread.currentThread(), what, limit.toNanos(), nanoTime.getAsLong());
        if (this != NONE) {
            calls.put(call.thread, call);
        }
        return call;
    }

    /** The calls past their limit, e.g. {@code "dnstap-deliver-2 has been sending a request to HEC for 95 s (limit 45 s)"}. */
    public List<String> overdue() {
        long now = nanoTime.getAsLong();
        return calls.values().stream().filter(call -> now - call.since > call.limitNanos).sorted(
                (a, b) -> a.thread.getName().compareTo(b.thread.getName())).map(call -> call.thread.getName()
                        + " has been " + call.what + " for " + Duration.ofNanos(now - call.since).toSeconds() + " s (limit "
                        + Duration.ofNanos(call.limitNanos).toSeconds() + " s)").toList();
    }

    /** One watched call; closing it says it ended. */
    public final class Call implements AutoCloseable {
        private final Thread thread;
        private final String what;
        private final long limitNanos;
        private final long since;

        private Call(Thread thread, String what, long limitNanos, long since) {
            this.thread = thread;
            this.what = what;
            this.limitNanos = limitNanos;
            this.since = since;
        }

        @Override
        public void close() {
            calls.remove(thread, this);
        }
    }
}
