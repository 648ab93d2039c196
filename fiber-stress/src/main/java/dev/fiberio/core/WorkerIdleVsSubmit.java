package dev.fiberio.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.fiberio.core.spi.Poller;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A worker going idle against a submission from another thread: the worker publishes PARKED (or
 * POLLING, when it blocks in an attached poller instead), re-checks for work, and sleeps only if it found
 * none; the submitter offers the fiber to the worker's run queue and then wakes the worker if it sees it
 * idle ({@link Worker#wakeIfParked()}: CAS PARKED→RUNNING and unpark, or POLLING→RUNNING and wake the
 * poller). Either the worker sees the fiber or the submitter sees the worker idle: never neither.
 *
 * <p>The submitter's side is the real code: the worker's {@link RunQueue} and {@link Worker#wakeIfParked()}
 * on a real {@link Worker} of a {@linkplain FiberScheduler#unstarted scheduler whose threads never start}.
 * The worker's side is the real {@link Worker#publishParked()} (what {@code parkThread} does before it
 * parks) and, for POLLING, {@code pollInsteadOfParking} up to the point where it would block, replayed on the real fields (the
 * worker loop cannot be stopped at that point from an actor): the same volatile store of the state,
 * the idle count, the re-check of the run queue, the CAS back to RUNNING. Instead of blocking, the
 * worker actor reports that it would.
 */
public final class WorkerIdleVsSubmit {
    static final int RUNNING = WorkerRig.RUNNING;
    static final int PARKED = WorkerRig.PARKED;
    static final int POLLING = WorkerRig.POLLING;

    /** Any fiber will do as the submitted one: the run queue does not look at it. */
    private static final Fiber SUBMITTED = new Fiber(FiberScheduler.manual("jcstress-idle", f -> { }), "submitted", () -> { });

    private WorkerIdleVsSubmit() {
    }

    /** A poller that only counts its wake-ups (no worker blocks in it here). */
    static final class CountingPoller implements Poller {
        final AtomicInteger wakeups = new AtomicInteger();

        @Override
        public int poll(long timeoutNanos) {
            return 0;
        }

        @Override
        public void wakeup() {
            wakeups.incrementAndGet();
        }

        @Override
        public void close() {
        }
    }

    /** One idle worker, on a scheduler of its own whose threads never start. */
    abstract static class Base {
        final FiberScheduler scheduler = FiberScheduler.unstarted("jcstress-idle", 1);
        final Worker worker = scheduler.workers[0];

        /**
         * The worker's re-check after publishing POLLING, replayed ({@code pollInsteadOfParking} blocks in
         * the poller right after it): 1 if it saw the fiber, 0 if it would block.
         */
        int goIdle(int idleState) {
            WorkerRig.setParkState(worker, idleState);
            scheduler.idleWorkers.incrementAndGet();
            if (!worker.queue.isEmpty()) {
                if (WorkerRig.casParkState(worker, idleState, RUNNING)) {
                    scheduler.idleWorkers.decrementAndGet();
                }
                return 1;
            }
            return 0;
        }

        /** The submitter (a thread that is not a worker): offer, then wake the worker if idle. */
        int submit() {
            if (!worker.queue.offer(SUBMITTED)) {
                throw new IllegalStateException("the run queue is full");
            }
            return worker.wakeIfParked() ? 1 : 0;
        }

        void report(IIII_Result r) {
            r.r3 = WorkerRig.parkState(worker);
            r.r4 = scheduler.idleWorkers.get();
        }
    }

    /**
     * A worker going to park vs a submission. Fields: r1 the worker saw the fiber (1) or would park (0);
     * r2 the submitter woke it (1); r3 the worker's final state (0 RUNNING, 1 PARKED); r4 the idle count.
     */
    @JCStressTest
    @Description("A worker publishing PARKED and re-checking its queue vs a submitter offering a fiber and waking it: never both miss")
    @Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "the worker saw the fiber and stayed RUNNING; the submitter found it RUNNING")
    @Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE, desc = "the worker found nothing and parks; the submitter saw PARKED and unparked it")
    @Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE,
            desc = "the worker saw the fiber, but the submitter won PARKED→RUNNING first and unparked it (a spurious unpark)")
    @Outcome(id = "0, 0, .*", expect = FORBIDDEN,
            desc = "lost wake-up: the worker parks with the fiber in its queue and the submitter did not wake it")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: a wrong state or idle count")
    @State
    public static class Parked extends Base {
        /** Creates the state: a running worker with an empty queue. */
        public Parked() {
        }

        /**
         * The worker going to park.
         *
         * @param r r1 receives whether it saw the fiber
         */
        @Actor
        public void worker(IIII_Result r) {
            r.r1 = worker.publishParked() ? 0 : 1;
        }

        /**
         * The submitter.
         *
         * @param r r2 receives whether it woke the worker
         */
        @Actor
        public void submitter(IIII_Result r) {
            r.r2 = submit();
        }

        /**
         * Reports the final state.
         *
         * @param r r3, r4 as in the class comment
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            report(r);
        }
    }

    /**
     * A worker going to block in an attached poller (POLLING) vs a submission. Fields: r1 the worker saw
     * the fiber (1) or would block in the poller (0); r2 the poller's wake-ups; r3 the worker's final
     * state (0 RUNNING); r4 the idle count.
     */
    @JCStressTest
    @Description("A worker publishing POLLING and re-checking its queue vs a submitter offering a fiber and waking the poller: never both miss")
    @Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "the worker saw the fiber and will not block; the submitter found it RUNNING")
    @Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE, desc = "the worker blocks in the poller; the submitter saw POLLING and woke the poller")
    @Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE,
            desc = "the worker saw the fiber, but the submitter won POLLING→RUNNING first and woke the poller (its next poll returns early)")
    @Outcome(id = "0, 0, .*", expect = FORBIDDEN,
            desc = "lost wake-up: the worker blocks in the poller with the fiber in its queue and nobody woke the poller")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: a wrong state, idle count or wake-up count")
    @State
    public static class Polling extends Base {
        final CountingPoller poller = new CountingPoller();

        /** Creates the state: a running worker with an empty queue. */
        public Polling() {
        }

        /**
         * The worker going to block in the poller (its {@code pollingOn} is written before POLLING, as there).
         *
         * @param r r1 receives whether it saw the fiber
         */
        @Actor
        public void worker(IIII_Result r) {
            WorkerRig.setPollingOn(worker, poller);
            r.r1 = goIdle(POLLING);
        }

        /** The submitter; the poller counts its wake-up. */
        @Actor
        public void submitter() {
            submit();
        }

        /**
         * Reports the final state.
         *
         * @param r r2-r4 as in the class comment
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r2 = poller.wakeups.get();
            report(r);
        }
    }
}
