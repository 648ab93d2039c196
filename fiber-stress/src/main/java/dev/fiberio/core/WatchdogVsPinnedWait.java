package dev.fiberio.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The watchdog's compensation for a worker whose thread is blocked while running a fiber, vs that fiber
 * beginning a pinned wait, which compensates by itself. The watchdog samples the worker (its run, its
 * pinned fiber, then its thread's state: {@link Watchdog#compensateIfBlocked}); the worker's fiber marks
 * the worker pinned and blocked ({@code FiberScheduler.pinnedWaitBegins}) and then parks its thread,
 * which the state read sees (here a volatile flag set after the pinned wait began stands for the thread
 * state WAITING). One blocked worker must count once: two spares must never run for it. The arbiter then
 * ends the pinned wait, the thread runs on in the same run, and the watchdog samples once more: the
 * compensation must end with the block, not keep a spare running beside a worker that computes.
 *
 * <p>Fields: r1 the blocked count after the race (1); r2 the blocked count after the wait ended and the
 * watchdog sampled the running thread (0); r3 the worker's {@code blockedBy} bits then (0).
 */
@JCStressTest
@Description("The watchdog compensating a blocked worker vs its fiber beginning a pinned wait: one spare per blocked worker")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "the worker counted once while blocked, and not at all once it ran again")
@Outcome(id = "2, .*", expect = FORBIDDEN,
        desc = "double compensation: the watchdog and the pinned wait each let a spare run for the one blocked worker")
@Outcome(id = "1, [1-9], .*", expect = FORBIDDEN,
        desc = "compensation outlived the block: a spare keeps running beside a worker whose thread runs again")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: a wrong count or reasons left")
@State
public class WatchdogVsPinnedWait {
    private final FiberScheduler scheduler = FiberScheduler.unstarted("jcstress-watchdog", 1);
    private final Worker worker = scheduler.workers[0];
    private final Watchdog watchdog = new Watchdog(scheduler, Duration.ofMillis(200));
    private final Fiber fiber = WorkerRig.inertFiber("blocking");
    /** Long enough after the run's start for the watchdog to compensate. */
    private final long sampledAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    private volatile boolean threadWaiting;
    private Runnable pinnedWaitEnds;

    /** Creates the state: the worker has been running the fiber for a second (as the watchdog will see it). */
    public WatchdogVsPinnedWait() {
        scheduler.workers[1].start();
        WorkerRig.lastRanOn(fiber, worker);
        WorkerRig.running(worker, fiber, sampledAt - TimeUnit.SECONDS.toNanos(1));
    }

    /** The fiber begins a pinned wait, then its thread parks. */
    @Actor
    public void worker() {
        pinnedWaitEnds = scheduler.pinnedWaitBegins(fiber);
        threadWaiting = true;
    }

    /** The watchdog samples the worker. */
    @Actor
    public void watchdog() {
        sample();
    }

    private void sample() {
        long seq = worker.runSequence();
        Fiber f = worker.runningFiber();
        watchdog.compensateIfBlocked(worker, f, seq, sampledAt, () -> threadWaiting);
    }

    /**
     * Ends the wait, lets the watchdog sample the running thread, and reports.
     *
     * @param r as in the class comment
     */
    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = scheduler.blockedWorkers();
        pinnedWaitEnds.run();
        threadWaiting = false;
        sample();
        r.r2 = scheduler.blockedWorkers();
        r.r3 = worker.blockedBy();
    }
}
