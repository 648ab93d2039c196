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
 * Race (a), permit path: a {@link WaitSlot#signal()} runs before the waiter starts (in the constructor),
 * so the fiber's first {@code await()} consumes the permit without suspending; its second
 * {@code await()} then races a second {@code signal()}. Checks that a permit is consumed once and that
 * consuming it (a release store to IDLE) and the next wait do not lose the next wake-up.
 *
 * <p>Fields r1-r4 as in {@link ResumeOutcomes}, for the second {@code await()}; r5: what the first one
 * returned; r6: what the racing {@code signal()} returned (1 true). A racing signal that finds the first
 * permit still unconsumed returns false (two signals before a wait are one permit); then the second
 * {@code await()} rightly waits, and the arbiter signals once more to finish it.
 */
@JCStressTest
@JCStressMeta(ResumeOutcomes.class)
@Description("A permit left before the fiber starts is consumed once; the next await() vs signal() still resumes exactly once")
@Outcome(id = "0, 0, 0, 0, 0, 1", expect = ACCEPTABLE,
        desc = "signal() came between the two awaits, or before the second switched out: it returned at once")
@Outcome(id = "0, 1, 1, 0, 0, 1", expect = ACCEPTABLE,
        desc = "signal() came while the second await was switching out: the post-switch hook resumed the fiber")
@Outcome(id = "0, 1, 2, 0, 0, 1", expect = ACCEPTABLE,
        desc = "signal() came after the second await suspended: the waker resumed the fiber")
@Outcome(id = "0, 1, 2, 0, 0, 0", expect = ACCEPTABLE,
        desc = "signal() merged with the unconsumed first permit (returned false); the second await waited for the arbiter's signal")
@State
public class PermitThenWaitVsSignal {
    private final WaitSlot slot = new WaitSlot();
    private int first = DrivenFiber.NOT_RETURNED;
    private final DrivenFiber waiter = new DrivenFiber(() -> {
        first = slot.await();
        return slot.await();
    });

    /** Creates the state and leaves a permit in the slot, before the fiber runs. */
    public PermitThenWaitVsSignal() {
        slot.signal();
    }

    /** The worker: runs the fiber through the first {@code await()} and into the second. */
    @Actor
    public void worker() {
        waiter.runNext();
    }

    /**
     * The waker.
     *
     * @param r r6 receives signal()'s result
     */
    @Actor
    public void waker(IIIIII_Result r) {
        r.r6 = waiter.wake(slot::signal) ? 1 : 0;
    }

    /**
     * Runs what was resumed, signals once more if the racing signal merged with the permit, and reports.
     *
     * @param r r1-r4 as in {@link ResumeOutcomes}, r5 the first await's reason
     */
    @Arbiter
    public void arbiter(IIIIII_Result r) {
        waiter.runAll();
        if (r.r6 == 0 && waiter.result() == DrivenFiber.NOT_RETURNED) {
            waiter.wake(slot::signal);
            waiter.runAll();
        }
        r.r1 = waiter.result();
        waiter.report(r);
        r.r5 = first;
    }
}
