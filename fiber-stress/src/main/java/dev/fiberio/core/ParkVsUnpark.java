package dev.fiberio.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

/**
 * Race (d): {@link Fiber#park()} in the driven fiber against {@link Fiber#unpark()}. The fiber parks
 * twice. The first park returns exactly once, whichever came first; the second must not return on the
 * same unpark (a duplicated permit), and returns once the arbiter unparks again.
 *
 * <p>Fields r1-r4 as in {@link ResumeOutcomes}, for the first park (r1 = 0 once it returned); r5: 1 if the
 * second park returned without a second unpark; r6: resume attempts caused by the arbiter's second
 * unpark, or -1 if the second park did not return after it.
 */
@JCStressTest
@JCStressMeta(ResumeOutcomes.class)
@Description("Fiber.park() vs Fiber.unpark(): park returns exactly once per unpark, no permit lost or duplicated")
@Outcome(id = "0, 0, 0, 0, 0, 1", expect = ACCEPTABLE,
        desc = "unpark() came before the fiber switched out (a permit): the first park returned at once")
@Outcome(id = "0, 1, [12], 0, 0, 1", expect = ACCEPTABLE,
        desc = "the fiber parked; unpark() (or the hook, if unpark came during the switch) resumed it once")
@Outcome(id = "0, \\d+, \\d+, \\d+, 1, .*", expect = FORBIDDEN,
        desc = "permit duplicated: the second park returned without a second unpark")
@Outcome(id = "0, \\d+, \\d+, \\d+, 0, (-1|0|[2-9]\\d*)", expect = FORBIDDEN,
        desc = "the second unpark did not resume the second park exactly once")
@State
public class ParkVsUnpark {
    private int parksReturned;
    private final DrivenFiber parker = new DrivenFiber(() -> {
        Fiber.park();
        parksReturned = 1;
        Fiber.park();
        parksReturned = 2;
        return 0;
    });

    /** Creates the state: a fiber that has not run yet. */
    public ParkVsUnpark() {
    }

    /** The worker: runs the fiber into its first {@code park()} until it suspends, then the hook. */
    @Actor
    public void worker() {
        parker.runNext();
    }

    /** The unparker. */
    @Actor
    public void unparker() {
        unpark();
    }

    /**
     * Runs what was resumed (into the second park), unparks once more, runs it to its end, and reports.
     *
     * @param r r1-r4 as in {@link ResumeOutcomes}, r5 and r6 as in the class comment
     */
    @Arbiter
    public void arbiter(IIIIII_Result r) {
        parker.runAll();
        r.r1 = parksReturned >= 1 ? 0 : DrivenFiber.NOT_RETURNED;
        parker.report(r);
        r.r5 = parksReturned == 2 ? 1 : 0;
        int before = parker.resumeAttempts();
        unpark();
        parker.runAll();
        r.r6 = parksReturned == 2 ? parker.resumeAttempts() - before : -1;
    }

    private void unpark() {
        parker.wake(() -> {
            parker.fiber().unpark();
            return true;
        });
    }
}
