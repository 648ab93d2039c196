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
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * Race (a): a fiber entering {@link WaitSlot#await()} against {@link WaitSlot#signal()}. Fields r1-r4 as
 * in {@link ResumeOutcomes}; r5: what {@code signal()} returned (1 true).
 */
@JCStressTest
@JCStressMeta(ResumeOutcomes.class)
@Description("WaitSlot.await() in a fiber vs WaitSlot.signal(): the fiber is resumed exactly once, after its hook")
@Outcome(id = "0, 1, 1, 0, 1", expect = ACCEPTABLE,
        desc = "signal() came while the fiber was switching out (SUSPENDING): the post-switch hook resumed it")
@Outcome(id = "0, 1, 2, 0, 1", expect = ACCEPTABLE,
        desc = "signal() came after the hook published SUSPENDED: the waker resumed it")
@Outcome(id = "0, 0, 0, 0, 1", expect = ACCEPTABLE,
        desc = "signal() came before the fiber switched out (a permit, or READY before suspend): await() returned SIGNALED at once")
@State
public class WaitVsSignal {
    private final WaitSlot slot = new WaitSlot();
    private final DrivenFiber waiter = new DrivenFiber(slot::await);

    /** Creates the state: an idle slot and a fiber that has not run yet. */
    public WaitVsSignal() {
    }

    /** The worker: runs the fiber into {@code await()} until it suspends, then the post-switch hook. */
    @Actor
    public void worker() {
        waiter.runNext();
    }

    /**
     * The waker.
     *
     * @param r r5 receives signal()'s result
     */
    @Actor
    public void waker(IIIII_Result r) {
        r.r5 = waiter.wake(slot::signal) ? 1 : 0;
    }

    /**
     * Runs what was resumed and reports.
     *
     * @param r r1-r4 as in {@link ResumeOutcomes}
     */
    @Arbiter
    public void arbiter(IIIII_Result r) {
        waiter.runAll();
        r.r1 = waiter.result();
        waiter.report(r);
    }
}
