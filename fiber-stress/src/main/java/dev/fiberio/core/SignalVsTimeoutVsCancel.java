package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

/**
 * Race (b): three wakers against a fiber entering {@link WaitSlot#await()}: {@code signal()},
 * {@code interrupt(TIMED_OUT)} (what a firing timer does) and {@link Fiber#cancel()}. Fields r1-r4 as in
 * {@link ResumeOutcomes}; r5: what {@code signal()} returned, r6: what {@code interrupt(TIMED_OUT)}
 * returned (1 true; {@code cancel()} returns nothing).
 *
 * <p>Only a waiter that is waiting can be timed out, so the timeout wins only against a waiter in
 * SUSPENDING or SUSPENDED. {@code signal()} also returns true when it comes after the waiter consumed
 * another wake-up without suspending: it leaves a permit. A fiber cancelled before it first ran never
 * starts its body.
 */
@JCStressTest
@JCStressMeta(ResumeOutcomes.class)
@Description("signal() vs timer interrupt(TIMED_OUT) vs cancel(): one resume, and the reason is the winner's")
@Outcome(id = "0, 0, 0, 0, 1, 0", expect = ACCEPTABLE,
        desc = "signal() won before the fiber switched out: await() returned SIGNALED at once")
@Outcome(id = "0, 1, [12], 0, 1, 0", expect = ACCEPTABLE,
        desc = "signal() won while the fiber was switching out (hook resumed it) or suspended (signal resumed it)")
@Outcome(id = "1, 0, 0, 0, [01], 1", expect = ACCEPTABLE,
        desc = "the timeout won in SUSPENDING before the fiber switched out: TIMED_OUT at once; a later signal() left a permit")
@Outcome(id = "1, 1, [12], 0, 0, 1", expect = ACCEPTABLE,
        desc = "the timeout won while the fiber was switching out (hook resumed it) or suspended (the timer resumed it)")
@Outcome(id = "2, 0, 0, 0, [01], 0", expect = ACCEPTABLE,
        desc = "cancel() came before the fiber switched out: CANCELLED at once; a later signal() left a permit")
@Outcome(id = "2, 1, [12], 0, 0, 0", expect = ACCEPTABLE,
        desc = "cancel() won while the fiber was switching out (hook resumed it) or suspended (cancel resumed it)")
@Outcome(id = "-2, 0, 0, 0, 1, 0", expect = ACCEPTABLE,
        desc = "cancel() came before the fiber first ran: its body never started; signal() left a permit")
@State
public class SignalVsTimeoutVsCancel {
    private final WaitSlot slot = new WaitSlot();
    private final DrivenFiber waiter = new DrivenFiber(slot::await);

    /** Creates the state: an idle slot and a fiber that has not run yet. */
    public SignalVsTimeoutVsCancel() {
    }

    /** The worker: runs the fiber into {@code await()} until it suspends, then the post-switch hook. */
    @Actor
    public void worker() {
        waiter.runNext();
    }

    /**
     * Waker 1: an ordinary wake-up.
     *
     * @param r r5 receives signal()'s result
     */
    @Actor
    public void signal(IIIIII_Result r) {
        r.r5 = waiter.wake(slot::signal) ? 1 : 0;
    }

    /**
     * Waker 2: what a timer does when the wait's deadline passes.
     *
     * @param r r6 receives interrupt(TIMED_OUT)'s result
     */
    @Actor
    public void timeout(IIIIII_Result r) {
        r.r6 = waiter.wake(() -> slot.interrupt(WaitSlot.TIMED_OUT)) ? 1 : 0;
    }

    /** Waker 3: cancels the fiber. */
    @Actor
    public void cancel() {
        waiter.cancel();
    }

    /**
     * Runs what was resumed and reports.
     *
     * @param r r1-r4 as in {@link ResumeOutcomes}
     */
    @Arbiter
    public void arbiter(IIIIII_Result r) {
        waiter.runAll();
        r.r1 = waiter.result();
        waiter.report(r);
    }
}
