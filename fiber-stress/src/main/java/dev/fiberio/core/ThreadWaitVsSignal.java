package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Race (f): a plain thread waiting in {@link WaitSlot#awaitUntil(long)} (it moves the slot
 * IDLE→SUSPENDED itself and parks) against {@link WaitSlot#signal()}. The deadline is a second away, so
 * the waiter returns SIGNALED, exactly once: the wake-up is consumed and none is left in the slot. A
 * timeout would need the signalling actor to stall for a second; it is legal, and reported as interesting.
 *
 * <p>Fields: r1 the reason the waiter got; r2 what {@code signal()} returned (1 true); r3 the slot's state
 * after both actors (0 IDLE, 3 READY = a permit left).
 */
@JCStressTest
@Description("WaitSlot.awaitUntil() on a plain thread vs signal(): returns SIGNALED exactly once")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE,
        desc = "the thread got SIGNALED (woken from park, or a permit when signal() came first); nothing left in the slot")
@Outcome(id = {"1, 1, 3", "1, 0, 0"}, expect = ACCEPTABLE_INTERESTING,
        desc = "the deadline passed (the signalling actor stalled a second); signal() then left a permit, or found the timeout's READY")
@Outcome(id = "0, 1, 3", expect = FORBIDDEN, desc = "resumed twice: the waiter consumed the signal and it is still in the slot")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: SIGNALED without a successful signal(), or a wrong reason")
@State
public class ThreadWaitVsSignal {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final WaitSlot slot = new WaitSlot();

    /** Creates the state: an idle slot. */
    public ThreadWaitVsSignal() {
    }

    /**
     * The waiting thread.
     *
     * @param r r1 receives the reason
     */
    @Actor
    public void waiter(III_Result r) {
        r.r1 = slot.awaitUntil(System.nanoTime() + DEADLINE_NANOS);
    }

    /**
     * The waker.
     *
     * @param r r2 receives signal()'s result
     */
    @Actor
    public void waker(III_Result r) {
        r.r2 = slot.signal() ? 1 : 0;
    }

    /**
     * Reads the slot's final state.
     *
     * @param r r3 receives it
     */
    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = slot.state();
    }
}
