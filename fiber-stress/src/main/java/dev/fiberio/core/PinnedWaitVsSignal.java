package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

/**
 * A pinned fiber waiter: the fiber waits inside {@code synchronized}, so it cannot switch out (a held
 * monitor must not migrate to another carrier); {@link WaitSlot} then waits on the carrier — here the
 * worker actor's thread — by publishing that thread as the waiter, moving SUSPENDING→SUSPENDED itself and
 * parking it. A waker that replaces SUSPENDED must unpark that thread, and the fiber must continue on it
 * holding its monitor, never be resumed through the scheduler as a suspended fiber.
 *
 * <p>The wait has a deadline a second away, so that a lost wake-up ends as a timeout instead of hanging
 * the actor. A signal that returned true before that deadline must have ended the wait SIGNALED.
 *
 * <p>Fields: r1 the wait's reason (0 SIGNALED, 1 TIMED_OUT); r2 1 if {@code signal()} returned true before
 * the deadline, 0 if it returned false, 2 if it returned true only after the deadline; r3 resumes through
 * the scheduler, refused ones included (0: a pinned fiber never switches out); r4 invariant violations;
 * r5 1 if the fiber still held its monitor, on the same thread, after the wait; r6 the slot's final state.
 */
@JCStressTest
@Description("A fiber waiting pinned (inside synchronized) vs signal(): woken on its carrier, never lost, never resumed as a fiber")
@Outcome(id = "0, 1, 0, 0, 1, 0", expect = ACCEPTABLE,
        desc = "the signal woke the pinned wait (or came first and was consumed without waiting); the fiber kept its monitor and carrier")
@Outcome(id = {"1, 2, 0, 0, 1, 3", "1, 0, 0, 0, 1, 0"}, expect = ACCEPTABLE_INTERESTING,
        desc = "the deadline passed first (the signalling actor stalled a second); signal() then left a permit, or found the timeout's READY")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN,
        desc = "lost wake-up: signal() made the slot READY before the deadline, yet the pinned wait slept until it")
@Outcome(id = "\\d, \\d, [1-9]\\d*, .*", expect = FORBIDDEN,
        desc = "resumed as a fiber: a pinned waiter was resumed through the scheduler")
@Outcome(id = "\\d, \\d, \\d+, [1-9]\\d*, .*", expect = FORBIDDEN, desc = "invariant violated (a resume refused)")
@Outcome(id = "\\d, \\d, \\d+, \\d+, 0, \\d", expect = FORBIDDEN,
        desc = "the monitor migrated: after the wait the fiber was not on its carrier or did not hold its monitor")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: the wait failed or a wrong reason")
@State
public class PinnedWaitVsSignal {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final WaitSlot slot = new WaitSlot();
    private final Object monitor = new Object();
    private volatile long deadline;
    private int sameCarrierAndMonitor;
    private final DrivenFiber waiter = new DrivenFiber(() -> {
        synchronized (monitor) {
            Thread before = Thread.currentThread();
            deadline = System.nanoTime() + DEADLINE_NANOS;
            int reason = slot.awaitUntil(deadline);
            sameCarrierAndMonitor = Thread.currentThread() == before && Thread.holdsLock(monitor) ? 1 : 0;
            return reason;
        }
    });

    /** Creates the state: an idle slot, the fiber not started. */
    public PinnedWaitVsSignal() {
    }

    /** The worker: runs the fiber, which waits pinned on this thread. */
    @Actor
    public void worker() {
        waiter.runNext();
    }

    /**
     * The waker.
     *
     * @param r r2 receives signal()'s result, and whether it came before the deadline
     */
    @Actor
    public void waker(IIIIII_Result r) {
        boolean made = waiter.wake(slot::signal);
        long d = deadline;
        r.r2 = !made ? 0 : d == 0 || System.nanoTime() - d < 0 ? 1 : 2;
    }

    /**
     * Runs anything resumed through the scheduler (nothing should be) and reports.
     *
     * @param r r1, r3-r6 as in the class comment
     */
    @Arbiter
    public void arbiter(IIIIII_Result r) {
        waiter.runAll();
        r.r1 = waiter.result();
        r.r3 = waiter.resumeAttempts();
        r.r4 = waiter.violations();
        r.r5 = sameCarrierAndMonitor;
        r.r6 = slot.state();
    }
}
