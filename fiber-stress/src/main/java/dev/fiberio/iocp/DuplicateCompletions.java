package dev.fiberio.iocp;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Two poller threads dispatch an entry for the same OVERLAPPED at once (the real completion, 42
 * bytes, and a duplicate, 7 bytes, such as a non-IFS layered provider may queue): exactly one is
 * delivered, the other dropped as stale, and the fiber, run by the arbiter afterwards, returns the
 * delivered result without suspending. (Two actors, so that it runs on two CPUs; the race with the
 * switch-out is {@link CompletionVsSwitchOut}.) Fields: r1 what the wait returned (-1: never
 * returned); r2 resumes, refused ones included; r3 how many dispatches were delivered; r4 resumes
 * refused before the fiber switched out.
 */
@JCStressTest
@JCStressMeta(ResumeOnceOutcomes.class)
@Description("Two IOCP completion entries for one operation, dispatched on two poller threads, vs the waiting fiber")
@Outcome(id = "42, 0, 1, 0", expect = ACCEPTABLE,
        desc = "the real entry won the record, the duplicate was dropped as stale; the fiber got its result")
@Outcome(id = "7, 0, 1, 0", expect = ACCEPTABLE,
        desc = "the duplicate won the record, the real entry was dropped as stale; the fiber got the winner's result")
@Outcome(id = "-?\\d+, \\d+, [02-9], \\d+", expect = FORBIDDEN, desc = "an operation completed twice, or not at all")
@State
public class DuplicateCompletions {
    private final CompletionRig rig = new CompletionRig();
    private volatile boolean firstDelivered;
    private volatile boolean secondDelivered;

    /** Creates the state: an operation in flight and its fiber, not run yet. */
    public DuplicateCompletions() {
    }

    /** A poller thread with the real completion entry. */
    @Actor
    public void poller() {
        firstDelivered = rig.dispatch(42);
    }

    /** Another poller thread with a duplicate entry for the same OVERLAPPED. */
    @Actor
    public void duplicate() {
        secondDelivered = rig.dispatch(7);
    }

    /**
     * Runs the fiber (it finds the result and returns without suspending), and reports.
     *
     * @param r the result fields described in the class comment
     */
    @Arbiter
    public void arbiter(IIII_Result r) {
        rig.fiber().runAll();
        r.r1 = rig.fiber().result();
        r.r2 = rig.fiber().resumeAttempts();
        r.r3 = (firstDelivered ? 1 : 0) + (secondDelivered ? 1 : 0);
        r.r4 = rig.fiber().earlyRefusals();
    }
}
