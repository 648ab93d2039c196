package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

/**
 * A wake-up belongs to the wait it won. A plain thread waits on a slot with a deadline that has already
 * passed, so it returns on its own (as after a spurious return or an interrupt): it moves the slot
 * IDLE→SUSPENDED, finds the deadline gone, wakes itself with TIMED_OUT, unless the racing
 * {@code signal()} replaced SUSPENDED first, and consumes. Then it hands the slot over: a fiber begins
 * waiting on it (as a socket passes from a thread to a fiber). The waker that replaced the thread's
 * SUSPENDED must unpark that thread, never the fiber that waits on the slot by the time it looks for
 * its waiter: the fiber would be resumed with no wake-up of its own (before its post-switch hook, or
 * twice, or with its SUSPENDED state overwritten by its own consume).
 *
 * <p>Fields: r1 the thread's reason (0 SIGNALED, 1 TIMED_OUT); r2 what {@code signal()} returned (1 true);
 * r3 the fiber's reason, -1 if it still waits after the arbiter ran whatever was resumed (the arbiter
 * wakes nothing); r4 the fiber's resume attempts, refused ones included; r5 invariant violations the
 * scheduler counted; r6 the slot's final state (0 IDLE, 2 SUSPENDED: the fiber waits).
 */
@JCStressTest
@Description("A thread waiter returning on its own and handing the slot to a fiber vs signal(): the wake-up reaches only the wait it won")
@Outcome(id = "0, 1, -1, 0, 0, 2", expect = ACCEPTABLE,
        desc = "signal() woke the thread (or left a permit it consumed); the fiber then waits, untouched")
@Outcome(id = "1, 0, -1, 0, 0, 2", expect = ACCEPTABLE,
        desc = "the thread timed out by itself; signal() found that wake-up not yet consumed and merged with it; the fiber waits")
@Outcome(id = "1, 1, 0, 0, 0, 0", expect = ACCEPTABLE,
        desc = "the thread timed out and consumed; signal() left a permit that the fiber's wait took at once")
@Outcome(id = "1, 1, 0, 1, 0, 0", expect = ACCEPTABLE,
        desc = "the thread timed out and consumed; signal() came during the fiber's wait and resumed it once")
@Outcome(id = "0, \\d+, 0, .*", expect = FORBIDDEN,
        desc = "one wake-up, two waits ended: the fiber was resumed by the signal that the thread's wait had won")
@Outcome(id = "-?\\d+, \\d+, -?\\d+, ([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "the fiber was resumed twice")
@Outcome(id = "-?\\d+, \\d+, -?\\d+, \\d+, [1-9]\\d*, \\d+", expect = FORBIDDEN,
        desc = "invariant violated: the fiber was resumed before its post-switch hook, or twice")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
@State
public class WakeBoundToItsWait {
    private final WaitSlot slot = new WaitSlot();
    private final DrivenFiber next = new DrivenFiber(slot::await);

    /** Creates the state: an idle slot, the fiber not started. */
    public WakeBoundToItsWait() {
    }

    /**
     * The thread waiter, then the hand-over to the fiber (this actor plays its worker).
     *
     * @param r r1 receives the thread's reason
     */
    @Actor
    public void waiter(IIIIII_Result r) {
        r.r1 = slot.awaitUntil(System.nanoTime()); // the deadline has passed: it returns on its own
        next.runNext();
    }

    /**
     * The waker.
     *
     * @param r r2 receives signal()'s result
     */
    @Actor
    public void waker(IIIIII_Result r) {
        r.r2 = next.wake(slot::signal) ? 1 : 0;
    }

    /**
     * Runs what was resumed (waking nothing) and reports.
     *
     * @param r r3-r6 as in the class comment
     */
    @Arbiter
    public void arbiter(IIIIII_Result r) {
        next.runAll();
        r.r3 = next.result();
        r.r4 = next.resumeAttempts();
        r.r5 = next.violations();
        r.r6 = slot.state();
    }
}
