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
 * The completion core's dispatch race: a reaper (an io_uring ring's poll, an IOCP poller) completes an
 * operation while the fiber that started it is switching out on its worker, or before it began to
 * wait, or after its post-switch hook. Fields: r1 what the fiber's wait returned (-1: it never
 * returned); r2 resumes, refused ones included; r3 resumes refused because the fiber had not switched
 * out; r4 releases of the record's memory (none: the socket stays open).
 */
@JCStressTest
@Description("Completion core: a completion reaped on another thread vs the waiting fiber switching out")
@Outcome(id = "42, 0, 0, 0", expect = ACCEPTABLE,
        desc = "reaped before the fiber waited: the wait found the result without suspending")
@Outcome(id = "42, 1, 0, 0", expect = ACCEPTABLE,
        desc = "reaped while or after the fiber switched out: it was resumed once (by its hook or by the reaper) and got the result")
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "never resumed: the completion was lost")
@Outcome(id = "-?\\d+, ([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "resumed twice")
@Outcome(id = "-?\\d+, \\d+, [1-9]\\d*, \\d+", expect = FORBIDDEN, desc = "resumed before it switched out")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: a wrong result, or memory released while the socket is open")
@State
public class CompletionVsSwitchOut {
    private final CoreRig rig = new CoreRig();

    /** Creates the state: an operation in flight and its fiber, not run yet. */
    public CompletionVsSwitchOut() {
    }

    /** The worker: runs the fiber into its wait until it suspends, then the post-switch hook. */
    @Actor
    public void worker() {
        rig.fiber().runNext();
    }

    /** The reaper: the operation's completion (42). */
    @Actor
    public void reaper() {
        rig.reap(rig.token(), 42);
    }

    /**
     * Runs whatever was resumed, and reports.
     *
     * @param r the result fields described in the class comment
     */
    @Arbiter
    public void arbiter(IIII_Result r) {
        rig.fiber().runAll();
        r.r1 = rig.fiber().result();
        r.r2 = rig.fiber().resumeAttempts();
        r.r3 = rig.fiber().earlyRefusals();
        r.r4 = rig.releases();
    }
}
