package dev.fiberio.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The spare-worker protocol: spare {@code k} runs fibers while more than {@code k} workers are blocked
 * (a pinned wait, or a thread the JVM blocked while running a fiber) and otherwise sleeps DORMANT. A spare
 * that finds nothing to compensate for hands its run queue to the overflow queue, publishes DORMANT and
 * re-checks the blocked count before it parks ({@link Worker#goDormant()}); a worker that becomes blocked
 * counts itself ({@link Worker#blocked}) and enables the spare its count calls for
 * ({@link Worker#enableSpare()}: CAS DORMANT→RUNNING and unpark).
 *
 * <p>Every test runs on a {@linkplain FiberScheduler#unstarted scheduler whose threads never start}, with
 * one regular worker and its spare (marked started, so that enabling it is the CAS and unpark of a
 * running spare): the actors call the real non-blocking steps of the workers, and report that they would
 * block where the worker thread would park. An unpark of the never-started thread does nothing; the
 * spare's final state shows whether it was given one (DORMANT→RUNNING).
 */
public final class SpareDormancy {
    private SpareDormancy() {
    }

    /** One regular worker and its spare, marked started; the spare has been running. */
    abstract static class Rig {
        final FiberScheduler scheduler = FiberScheduler.unstarted("jcstress-spare", 1);
        final Worker regular = scheduler.workers[0];
        final Worker spare = scheduler.workers[1];
        /** The fiber that blocks the regular worker by waiting pinned on it. */
        final Fiber pinnedFiber = WorkerRig.inertFiber("pinned");

        Rig() {
            spare.start();
            WorkerRig.lastRanOn(pinnedFiber, regular);
        }
    }

    /**
     * The spare going dormant vs the regular worker becoming blocked (its fiber begins a pinned wait, and
     * a runnable fiber waits in its queue for a spare to steal it). Fields: r1 the spare's verdict (1 it
     * runs on, 2 it parks); r2 its final state (0 RUNNING, 3 DORMANT); r3 the blocked count.
     */
    @JCStressTest
    @Description("A spare going DORMANT vs a worker becoming blocked and enabling it: compensation is never lost")
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "the spare's re-check saw the blocked worker: it runs on")
    @Outcome(id = "2, 0, 1", expect = ACCEPTABLE,
            desc = "the spare found nothing to do and parks, but the enabler saw DORMANT, won DORMANT→RUNNING and unparked it")
    @Outcome(id = "2, 3, 1", expect = FORBIDDEN,
            desc = "lost enable: a worker is blocked with work queued behind it, and its spare sleeps DORMANT, never unparked")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: a wrong blocked count or state")
    @State
    public static class EnableVsDormant extends Rig {
        /** Creates the state: no worker blocked, the spare running, a fiber queued on the regular worker. */
        public EnableVsDormant() {
            regular.queue.offer(WorkerRig.inertFiber("queued"));
        }

        /**
         * The spare, which found no blocked worker, going dormant.
         *
         * @param r r1 receives its verdict
         */
        @Actor
        public void spare(III_Result r) {
            r.r1 = spare.goDormant();
        }

        /** The regular worker's fiber begins a pinned wait. */
        @Actor
        public void enabler() {
            scheduler.pinnedWaitBegins(pinnedFiber);
        }

        /**
         * Reports the spare's state and the count.
         *
         * @param r r2, r3 as in the class comment
         */
        @Arbiter
        public void arbiter(III_Result r) {
            r.r2 = WorkerRig.parkState(spare);
            r.r3 = scheduler.blockedWorkers();
        }
    }

    /**
     * The spare going dormant (the worker it compensated for is unblocked) vs a thread resuming a fiber
     * that last ran on the spare. Fields: r1 the spare's verdict (2 it parks); r2 where the fiber is
     * queued (1 the spare's run queue, 2 the overflow queue, 3 the regular worker's queue); r3 the spare's
     * final state (3 DORMANT). The regular worker is busy (RUNNING, not idle): it serves its own queue and
     * the overflow queue, but steals from a dormant spare's queue only once it runs out of work.
     */
    @JCStressTest
    @Description("A spare going DORMANT vs a resume aimed at it: the fiber never waits in a dormant spare's queue")
    @Outcome(id = "2, 3, 3", expect = ACCEPTABLE, desc = "the fiber went to the regular worker's queue")
    @Outcome(id = "2, 2, 3", expect = ACCEPTABLE, desc = "the fiber reached the spare's queue first and the spare handed it to the overflow queue")
    @Outcome(id = "2, 1, 3", expect = FORBIDDEN,
            desc = "stranded: the fiber sits in the queue of a dormant spare, which no busy worker serves")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: the fiber lost or the spare in a wrong state")
    @State
    public static class SubmitVsDormant extends Rig {
        final Fiber resumed = WorkerRig.inertFiber("resumed");
        final Runnable pinnedWaitEnds;

        /** Creates the state: the regular worker blocked, the spare compensating; the fiber last ran on the spare. */
        public SubmitVsDormant() {
            pinnedWaitEnds = scheduler.pinnedWaitBegins(pinnedFiber);
            WorkerRig.lastRanOn(resumed, spare);
        }

        /**
         * The regular worker's pinned wait ends; the spare then finds itself not needed and goes dormant.
         *
         * @param r r1 receives the spare's verdict
         */
        @Actor
        public void spare(III_Result r) {
            pinnedWaitEnds.run();
            r.r1 = spare.goDormant();
        }

        /** A thread that is not a worker (a poller, a timer) resumes the fiber. */
        @Actor
        public void resumer() {
            scheduler.submit(resumed);
        }

        /**
         * Reports where the fiber is.
         *
         * @param r r2, r3 as in the class comment
         */
        @Arbiter
        public void arbiter(III_Result r) {
            r.r2 = WorkerRig.whereQueued(scheduler, regular, spare, resumed);
            r.r3 = WorkerRig.parkState(spare);
        }
    }

    /**
     * The spare going dormant with a fiber in its queue, which it hands to the overflow queue, vs the
     * regular worker going idle (publishing PARKED and re-checking every queue, {@link Worker#publishParked()}).
     * Fields: r1 where the fiber is (2 the overflow queue); r2 the regular worker would park (1) or found
     * work (0); r3 its final state (0 RUNNING, 1 PARKED); r4 the idle count.
     */
    @JCStressTest
    @Description("A spare handing its queue to the overflow queue as it goes DORMANT vs a worker going idle: never both miss")
    @Outcome(id = "2, 0, 0, 0", expect = ACCEPTABLE, desc = "the worker's re-check saw the fiber (in the spare's or the overflow queue)")
    @Outcome(id = "2, 1, 0, 0", expect = ACCEPTABLE, desc = "the worker parks, but the spare's hand-off saw it idle and unparked it")
    @Outcome(id = "2, 1, 1, 1", expect = FORBIDDEN,
            desc = "lost wake-up: the worker sleeps PARKED while the handed-off fiber waits in the overflow queue")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: the fiber lost, a wrong state or idle count")
    @State
    public static class HandoffVsIdle extends Rig {
        final Fiber queued = WorkerRig.inertFiber("queued");

        /** Creates the state: nothing blocked any more, a fiber still in the spare's queue. */
        public HandoffVsIdle() {
            spare.queue.offer(queued);
        }

        /** The spare goes dormant. */
        @Actor
        public void spare() {
            spare.goDormant();
        }

        /**
         * The regular worker, out of work, goes to park.
         *
         * @param r r2 receives whether it would park
         */
        @Actor
        public void worker(IIII_Result r) {
            r.r2 = regular.publishParked() ? 1 : 0;
        }

        /**
         * Reports where the fiber is and the worker's state.
         *
         * @param r r1, r3, r4 as in the class comment
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r3 = WorkerRig.parkState(regular);
            r.r4 = scheduler.idleWorkers.get();
            r.r1 = WorkerRig.whereQueued(scheduler, regular, spare, queued);
        }
    }
}
