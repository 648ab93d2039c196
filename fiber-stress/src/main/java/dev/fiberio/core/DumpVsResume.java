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
 * {@link FiberScheduler#dump()} reads a suspended fiber's frozen stack under INSPECTING while a waker
 * resumes the fiber: the resume is recorded (INSPECT_RESUMED) and carried out by the dumper when it
 * is done, so it is neither lost nor done twice, and the waker never waits for the dump.
 *
 * <p>Fields r1-r4 as in {@link ResumeOutcomes} (a resume carried out by the dumper counts as a waker's);
 * r5 whether the dump showed the fiber's wait (1: it caught the fiber suspended); r6 what
 * {@code signal()} returned (1 true).
 */
@JCStressTest
@JCStressMeta(ResumeOutcomes.class)
@Description("dump() inspecting a suspended fiber vs a waker resuming it: resumed exactly once, by the waker or by the dumper after it")
@Outcome(id = "0, 1, 2, 0, 1, 1", expect = ACCEPTABLE,
        desc = "the dump caught the fiber suspended; the resume came before, during (carried out by the dumper) or after it")
@Outcome(id = "0, 1, 2, 0, 0, 1", expect = ACCEPTABLE,
        desc = "the resume came first: the dump found the fiber runnable, with no frozen stack to show")
@State
public class DumpVsResume {
    private final WaitSlot slot = new WaitSlot();
    private final DrivenFiber waiter = new DrivenFiber(slot::await);

    /** Creates the state: the fiber suspended in {@code await()}. */
    public DumpVsResume() {
        waiter.runNext();
    }

    /**
     * The dumper.
     *
     * @param r r5 receives whether the dump showed the fiber's wait
     */
    @Actor
    public void dumper(IIIIII_Result r) {
        String[] dump = new String[1];
        waiter.wake(() -> (dump[0] = waiter.scheduler().dump()) != null);
        r.r5 = dump[0] != null && dump[0].contains("WaitSlot.await") ? 1 : 0;
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
