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
 * Race (e): {@link Fiber#cancel()} against the fiber beginning to wait in {@link WaitSlot#await()}: the
 * Dekker pair of volatiles ({@code cancel()} writes {@code cancelled} then reads {@code waitingOn}; the
 * waiter writes {@code waitingOn} then reads {@code cancelled}), so at least one side sees the other and
 * the cancellation is never lost. The only waker is the cancel, so the fiber must return CANCELLED.
 *
 * <p>Fields r1-r4 as in {@link ResumeOutcomes}; r5: the slot's state after the arbiter ran the fiber to
 * its end (0 = IDLE: the cancellation's wake-up was consumed, none left behind).
 */
@JCStressTest
@JCStressMeta(ResumeOutcomes.class)
@Description("Fiber.cancel() vs the fiber beginning to wait: the wait always ends CANCELLED, never hangs")
@Outcome(id = "2, 0, 0, 0, 0", expect = ACCEPTABLE,
        desc = "cancel() came before the fiber switched out: await() saw it (flag, or its own wake-up) and returned CANCELLED at once")
@Outcome(id = "2, 1, 1, 0, 0", expect = ACCEPTABLE,
        desc = "cancel() came while the fiber was switching out: the post-switch hook resumed it with CANCELLED")
@Outcome(id = "2, 1, 2, 0, 0", expect = ACCEPTABLE,
        desc = "cancel() came after the fiber suspended: it resumed the fiber with CANCELLED")
@Outcome(id = "-2, 0, 0, 0, 0", expect = ACCEPTABLE,
        desc = "cancel() came before the fiber first ran: its body never started")
@State
public class CancelVsBeginWait {
    private final WaitSlot slot = new WaitSlot();
    private final DrivenFiber waiter = new DrivenFiber(slot::await);

    /** Creates the state: an idle slot and a fiber that has not run yet. */
    public CancelVsBeginWait() {
    }

    /** The worker: runs the fiber into {@code await()} until it suspends, then the post-switch hook. */
    @Actor
    public void worker() {
        waiter.runNext();
    }

    /** The canceller. */
    @Actor
    public void canceller() {
        waiter.cancel();
    }

    /**
     * Runs what was resumed and reports.
     *
     * @param r r1-r4 as in {@link ResumeOutcomes}, r5 the slot's final state
     */
    @Arbiter
    public void arbiter(IIIII_Result r) {
        waiter.runAll();
        r.r1 = waiter.result();
        waiter.report(r);
        r.r5 = slot.state();
    }
}
