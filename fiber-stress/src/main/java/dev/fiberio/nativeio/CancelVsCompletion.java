package dev.fiberio.nativeio;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Cancellation of the waiting fiber ({@code Fiber.cancel()}) vs the operation's completion. A cancelled wait asks the kernel to cancel,
 * then waits (uninterruptibly) until the completion was reaped, so it never ends while the kernel may
 * still write the record; a result that won the race stays in the record for the next operation.
 * Fields: r1 what the wait returned (42, or -2: it threw FiberCancelledException); r2 resumes, refused
 * ones included; r3 1 if a reaped result was left unconsumed in the record; r4 1 if the operation was
 * still in flight (KERNEL) after the wait ended.
 */
@JCStressTest
@Description("Completion core: cancellation of the waiting fiber vs the operation's completion")
@Outcome(id = "42, 1, 0, 0", expect = ACCEPTABLE,
        desc = "the completion resumed the fiber first: it returned the result (the cancellation applies to its next wait)")
@Outcome(id = "-2, 1, 1, 0", expect = ACCEPTABLE,
        desc = "the cancellation resumed it first, the completion was reaped before it looked again: it threw, the result left for the next operation")
@Outcome(id = "-2, 2, 1, 0", expect = ACCEPTABLE,
        desc = "the cancellation resumed it, it waited for the completion uninterruptibly and was resumed by it: it threw, the result left for the next operation")
@Outcome(id = "-?\\d+, \\d+, \\d+, 1", expect = FORBIDDEN,
        desc = "the wait ended while the kernel still owned the record's memory")
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "never returned: a lost wake-up")
@Outcome(id = "42, \\d+, 1, 0", expect = FORBIDDEN, desc = "returned a result and left one: a completion delivered twice")
@Outcome(id = "-2, \\d+, 0, 0", expect = FORBIDDEN, desc = "a result that won the race was lost")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: resumed more often than woken, or inconsistent accounting")
@State
public class CancelVsCompletion {
    private final CoreRig rig = new CoreRig().suspended();

    /** Creates the state: the fiber suspended in its wait for an operation in flight. */
    public CancelVsCompletion() {
    }

    /** Cancels the waiting fiber, then runs it if it was resumed (by the cancellation or the completion). */
    @Actor
    public void canceller() {
        rig.cancelFiber();
        rig.fiber().runNextIfAny(); // as the worker the resumed fiber went to, racing the reaper
    }

    /** The reaper: the operation's completion (42). */
    @Actor
    public void reaper() {
        rig.reap(rig.token(), 42);
    }

    /**
     * Runs whatever is left, and reports.
     *
     * @param r the result fields described in the class comment
     */
    @Arbiter
    public void arbiter(IIII_Result r) {
        rig.fiber().runAll();
        r.r1 = rig.fiber().result();
        r.r2 = rig.fiber().resumeAttempts();
        r.r3 = rig.record().hasResult() ? 1 : 0;
        r.r4 = rig.record().pending() ? 1 : 0;
    }
}
