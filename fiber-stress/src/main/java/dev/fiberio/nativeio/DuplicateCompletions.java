package dev.fiberio.nativeio;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two completions for one operation reaped at once on two threads (the real one, 42, and a duplicate,
 * 7, as a stale CQE whose token was not yet reused, or a duplicate IOCP entry): exactly one is
 * delivered and the other dropped as stale, while the fiber waits suspended. Fields: r1 what the
 * wait returned; r2 resumes, refused ones included; r3 how many completions were delivered.
 */
@JCStressTest
@Description("Completion core: two completions for one operation, on two reaper threads, vs the suspended fiber")
@Outcome(id = "42, 1, 1", expect = ACCEPTABLE, desc = "the real completion won the record, the duplicate was dropped as stale")
@Outcome(id = "7, 1, 1", expect = ACCEPTABLE,
        desc = "the duplicate won the record, the real one was dropped: one result, the winner's (the kernel never posts both)")
@Outcome(id = "-?\\d+, \\d+, [02-9]", expect = FORBIDDEN, desc = "an operation completed twice, or not at all")
@Outcome(id = "-?\\d+, ([02-9]|\\d{2,}), 1", expect = FORBIDDEN, desc = "resumed twice, or never")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: a wrong result or inconsistent accounting")
@State
public class DuplicateCompletions {
    private final CoreRig rig = new CoreRig().suspended();
    private volatile boolean firstDelivered;
    private volatile boolean secondDelivered;

    /** Creates the state: the fiber suspended in its wait for an operation in flight. */
    public DuplicateCompletions() {
    }

    /** A reaper with the real completion. */
    @Actor
    public void reaper() {
        firstDelivered = rig.reap(rig.token(), 42);
    }

    /** Another reaper with a duplicate for the same operation. */
    @Actor
    public void duplicate() {
        secondDelivered = rig.reap(rig.token(), 7);
    }

    /**
     * Runs the resumed fiber, and reports.
     *
     * @param r the result fields described in the class comment
     */
    @Arbiter
    public void arbiter(III_Result r) {
        rig.fiber().runAll();
        r.r1 = rig.fiber().result();
        r.r2 = rig.fiber().resumeAttempts();
        r.r3 = (firstDelivered ? 1 : 0) + (secondDelivered ? 1 : 0);
    }
}
