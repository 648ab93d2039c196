package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * Timed waits driven for real: the fiber's {@code awaitUntil(deadline)} arms its timer in its post-switch
 * hook, on the timer queue of its manual scheduler ({@link DrivenFiber#timers()}), and an actor fires
 * that queue as a worker would, passing the time as {@code now} (the deadlines are an hour or more away,
 * so real time never fires anything by itself).
 */
public final class TimedWaits {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    private TimedWaits() {
    }

    /** 1 if the timer queue still holds a live (uncancelled) timer, else 0. */
    static int liveTimers(TimerQueue timers) {
        return timers.nextDeadline() == Long.MAX_VALUE ? 0 : 1;
    }

    /**
     * The hook-armed timer of a suspended fiber fires (the queue's owner expires it) while a waker
     * signals. Fields r1-r4 as in {@link ResumeOutcomes}; r5 what {@code signal()} returned (1 true);
     * r6 live timers left once the fiber ran (it cancels its own timer when something else woke it).
     */
    @JCStressTest
    @JCStressMeta(ResumeOutcomes.class)
    @Description("A hook-armed deadline timer firing vs signal() on a suspended fiber: one wake-up, the winner's reason, no timer left")
    @Outcome(id = "1, 1, 2, 0, 0, 0", expect = ACCEPTABLE,
            desc = "the timer fired first: the fiber got TIMED_OUT; signal() found the slot READY")
    @Outcome(id = "0, 1, 2, 0, 1, 0", expect = ACCEPTABLE,
            desc = "signal() came first and resumed the fiber; the timer fired into a finished wake-up or was cancelled")
    @State
    public static class TimerVsSignal {
        final long deadline = System.nanoTime() + HOUR;
        final WaitSlot slot = new WaitSlot();
        final DrivenFiber waiter = new DrivenFiber(() -> slot.awaitUntil(deadline));

        /** Creates the state: the fiber suspended in its timed wait, its timer armed by the hook. */
        public TimerVsSignal() {
            waiter.runNext();
        }

        /** The timer queue's owner, at the deadline. */
        @Actor
        public void timer() {
            waiter.wake(() -> waiter.timers().expire(deadline) > 0);
        }

        /**
         * The waker.
         *
         * @param r r5 receives signal()'s result
         */
        @Actor
        public void waker(IIIIII_Result r) {
            r.r5 = waiter.wake(slot::signal) ? 1 : 0;
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1-r4 as in {@link ResumeOutcomes}, r6 live timers left
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            waiter.runAll();
            r.r1 = waiter.result();
            waiter.report(r);
            r.r6 = liveTimers(waiter.timers());
        }
    }

    /**
     * The timer of a finished wait fires into the next wait of the same slot. The fiber's first timed
     * wait (deadline {@code d1}) is woken by a signal in the constructor; the worker actor runs the fiber,
     * which cancels that timer and begins a second timed wait (deadline {@code d2 = d1 + 1 h}) while the
     * timer actor expires the queue at {@code d1}: the first timer fires unless it was cancelled first. It
     * belongs to the first wait and must not end the second one. The arbiter runs what was resumed, notes
     * the result, then expires the queue at {@code d2} (the second wait's own deadline) and runs again.
     *
     * <p>Fields: r1 the second wait's result before its own deadline (-1 still waiting); r2 its result
     * after (1 TIMED_OUT); r3 resume attempts of the fiber, refused ones included (2: the signal's, then
     * the second timer's); r4 invariant violations; r5 the first wait's reason (0 SIGNALED).
     */
    @JCStressTest
    @Description("A stale timer of a finished wait firing vs the next wait of the same slot: the next wait times out only at its own deadline")
    @Outcome(id = "-1, 1, 2, 0, 0", expect = ACCEPTABLE,
            desc = "the first wait's timer was cancelled, or fired into nothing; the second wait timed out at its own deadline only")
    @Outcome(id = "1, .*", expect = FORBIDDEN,
            desc = "stale timer: the first wait's timer woke the second wait with TIMED_OUT before its own deadline")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: never resumed, resumed twice, or a wrong reason")
    @State
    public static class StaleTimerVsNextWait {
        final long d1 = System.nanoTime() + HOUR;
        final long d2 = d1 + HOUR;
        final WaitSlot slot = new WaitSlot();
        int first = DrivenFiber.NOT_RETURNED;
        final DrivenFiber waiter = new DrivenFiber(() -> {
            first = slot.awaitUntil(d1);
            return slot.awaitUntil(d2);
        });

        /** Creates the state: the first wait suspended with its timer armed, then signalled. */
        public StaleTimerVsNextWait() {
            waiter.runNext();
            slot.signal();
        }

        /** The worker: the fiber ends its first wait (cancelling its timer) and begins the second. */
        @Actor
        public void worker() {
            waiter.runNext();
        }

        /** The timer queue's owner, at the first wait's deadline. */
        @Actor
        public void timer() {
            waiter.wake(() -> waiter.timers().expire(d1) > 0);
        }

        /**
         * Runs what was resumed, then fires the second wait's own deadline, and reports.
         *
         * @param r as in the class comment
         */
        @Arbiter
        public void arbiter(IIIII_Result r) {
            waiter.runAll();
            r.r1 = waiter.result();
            waiter.wake(() -> waiter.timers().expire(d2) > 0);
            waiter.runAll();
            r.r2 = waiter.result();
            r.r3 = waiter.resumeAttempts();
            r.r4 = waiter.violations();
            r.r5 = first;
        }
    }

    /**
     * A due timer expired at once by its queue's owner ({@code expire}, which waits for the queue's lock)
     * and by an idle worker ({@code tryExpire}, which gives up if the lock is taken). Fields: r1 what
     * {@code expire} fired; r2 what {@code tryExpire} fired; r3 the fiber's reason (1 TIMED_OUT); r4 its
     * resume attempts, refused ones included; r5 live timers left.
     */
    @JCStressTest
    @Description("TimerQueue.expire() by its owner vs tryExpire() by an idle worker: a due timer fires exactly once")
    @Outcome(id = "1, 0, 1, 1, 0", expect = ACCEPTABLE,
            desc = "the owner fired it; the idle worker found the lock taken or nothing due")
    @Outcome(id = "0, 1, 1, 1, 0", expect = ACCEPTABLE,
            desc = "the idle worker fired it; the owner found nothing due")
    @Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "the timer fired twice")
    @Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "a due timer fired by neither: it is stranded")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome: never resumed, resumed twice, or a timer left")
    @State
    public static class ExpireVsTryExpire {
        final long deadline = System.nanoTime() + HOUR;
        final WaitSlot slot = new WaitSlot();
        final DrivenFiber waiter = new DrivenFiber(() -> slot.awaitUntil(deadline));

        /** Creates the state: the fiber suspended in its timed wait, its timer armed by the hook. */
        public ExpireVsTryExpire() {
            waiter.runNext();
        }

        /**
         * The queue's owner.
         *
         * @param r r1 receives the number fired
         */
        @Actor
        public void owner(IIIII_Result r) {
            int[] fired = new int[1];
            waiter.wake(() -> (fired[0] = waiter.timers().expire(deadline)) > 0);
            r.r1 = fired[0];
        }

        /**
         * Another, idle worker.
         *
         * @param r r2 receives the number fired
         */
        @Actor
        public void idleWorker(IIIII_Result r) {
            int[] fired = new int[1];
            waiter.wake(() -> (fired[0] = waiter.timers().tryExpire(deadline)) > 0);
            r.r2 = fired[0];
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r3-r5 as in the class comment
         */
        @Arbiter
        public void arbiter(IIIII_Result r) {
            waiter.runAll();
            r.r3 = waiter.result();
            r.r4 = waiter.resumeAttempts();
            r.r5 = liveTimers(waiter.timers());
        }
    }
}
