package dev.fiberio.iocp;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The IOCP dispatch race: a poller thread dequeues the completion of an overlapped operation while
 * the fiber that started it is switching out on its worker (the seed library's race 2), or before
 * it began to wait, or after its post-switch hook. Fields: r1 the byte count the fiber's wait
 * returned (-1: it never returned); r2 resumes, refused ones included; r3 who resumed it (0 nobody,
 * 1 its hook, 2 the poller, 3 both); r4 resumes refused because the fiber had not switched out.
 */
@JCStressTest
@JCStressMeta(ResumeOnceOutcomes.class)
@Description("IOCP completion dispatched on a poller thread vs the waiting fiber switching out on its worker")
@Outcome(id = "42, 0, 0, 0", expect = ACCEPTABLE,
        desc = "dispatched before the fiber waited: the wait consumed the result without suspending")
@Outcome(id = "42, 1, 1, 0", expect = ACCEPTABLE,
        desc = "dispatched while the fiber was switching out (SUSPENDING): its post-switch hook resumed it, once")
@Outcome(id = "42, 1, 2, 0", expect = ACCEPTABLE,
        desc = "dispatched after the hook published SUSPENDED: the poller resumed it, once")
@State
public class CompletionVsSwitchOut {
    private final CompletionRig rig = new CompletionRig();

    /** Creates the state: an operation in flight and its fiber, not run yet. */
    public CompletionVsSwitchOut() {
    }

    /** The worker: runs the fiber into its wait until it suspends, then the post-switch hook. */
    @Actor
    public void worker() {
        rig.fiber().runNext();
    }

    /** The poller thread: dispatches the completion entry (42 bytes). */
    @Actor
    public void poller() {
        rig.dispatch(42);
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
        r.r3 = rig.fiber().resumer();
        r.r4 = rig.fiber().earlyRefusals();
    }
}
