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
 * Closing the socket vs the completion of the operation in flight on it. Close marks the record CLOSED and wakes the waiter, which throws
 * "Socket closed" at once if the operation is still in flight; the record's memory is released
 * exactly once, by whichever of the caller's release and the reaper's completion comes last — never
 * while the kernel may still write it. Fields: r1 what the wait returned (42, or -3: "Socket closed");
 * r2 resumes, refused ones included; r3 releases of the memory; r4 releases while KERNEL was set.
 */
@JCStressTest
@Description("Completion core: close of the socket vs the completion of its operation in flight")
@Outcome(id = "42, 1, 1, 0", expect = ACCEPTABLE,
        desc = "the completion came before the fiber looked: it returned the result; the memory was released once, after")
@Outcome(id = "-3, 1, 1, 0", expect = ACCEPTABLE,
        desc = "the fiber saw the close with the operation in flight: 'Socket closed'; the memory was released once, by the later of its release and the completion")
@Outcome(id = "-?\\d+, \\d+, \\d+, [1-9]", expect = FORBIDDEN,
        desc = "memory released while the kernel could still write it")
@Outcome(id = "-?\\d+, \\d+, ([02-9]|\\d{2,}), 0", expect = FORBIDDEN, desc = "memory released twice, or never (a leak)")
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "never returned: a lost wake-up")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: resumed twice, or inconsistent accounting")
@State
public class CloseVsInFlight {
    private final CoreRig rig = new CoreRig().suspended();

    /** Creates the state: the fiber suspended in its wait for an operation in flight. */
    public CloseVsInFlight() {
    }

    /** Closes the socket, then runs the fiber if it was woken (by the close or the completion). */
    @Actor
    public void closer() {
        rig.close();
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
        r.r3 = rig.releases();
        r.r4 = rig.releasedWhileKernel();
    }
}
