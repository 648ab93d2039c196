package dev.fiberio.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.fiberio.core.sync.FiberCondition;
import dev.fiberio.core.sync.FiberLock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

/**
 * {@link FiberCondition#signal()} racing the first waiter's timeout or cancellation, with a second waiter
 * behind it. Two fibers wait on the condition of one {@link FiberLock}, W1 first (FIFO); a thread takes
 * the lock and signals once while W1 leaves the wait. Either the signal reaches W1 (which then returns
 * normally, its timeout or cancellation too late) or W1 withdraws first and the signal goes to W2: a
 * waiter that gives up never swallows a signal meant for another. Every waiter holds the lock again when
 * its wait ends, and nobody holds it at the same time as another.
 *
 * <p>Fields: r1 how W1's wait ended (1 signalled, 2 cancelled, 3 timed out, -1 not ended); r2 W2's
 * (1 signalled, -1 still waiting: nobody signalled it); r3 1 if W1 held the lock when its wait ended;
 * r4 1 if the lock is still held once everything ran; r5 1 if two callers were inside the lock at once;
 * r6 waiters left on the condition.
 */
public final class ConditionRaces {
    static final int SIGNALLED = 1;
    static final int CANCELLED = 2;
    static final int TIMED_OUT = 3;

    private ConditionRaces() {
    }

    /** The lock, its condition, the two waiting fibers and the signalling thread. */
    abstract static class Base {
        final FiberLock lock = new FiberLock();
        final FiberCondition condition = lock.newCondition();
        final AtomicInteger inside = new AtomicInteger();
        volatile boolean heldTwice;
        int w1HeldLock;
        final DrivenFiber w1 = new DrivenFiber(() -> {
            lock.lock();
            try {
                enter();
                exit();
                int how = w1Wait();
                w1HeldLock = lock.isHeldByCurrentFiber() ? 1 : 0;
                enter();
                exit();
                return how;
            } finally {
                lock.unlock();
            }
        });
        final DrivenFiber w2 = new DrivenFiber(() -> {
            lock.lock();
            try {
                enter();
                exit();
                condition.await();
                enter();
                exit();
                return SIGNALLED;
            } finally {
                lock.unlock();
            }
        });

        /** W1's wait on the condition; returns how it ended. */
        abstract int w1Wait();

        /** Both fibers into their waits, W1 first. */
        void startWaiters() {
            w1.runNext();
            w2.runNext();
        }

        void enter() {
            if (inside.incrementAndGet() != 1) {
                heldTwice = true;
            }
        }

        void exit() {
            inside.decrementAndGet();
        }

        /** The signalling thread. */
        void signalOnce() {
            lock.lock();
            try {
                enter();
                exit();
                condition.signal();
            } finally {
                lock.unlock();
            }
        }

        /** Runs whatever was resumed until nothing is left (a lock hand-over may resume the other fiber). */
        void runAllAndReport(IIIIII_Result r) {
            for (int round = 0; round < 4; round++) {
                w1.runAll();
                w2.runAll();
            }
            r.r1 = w1.result();
            r.r2 = w2.result();
            r.r3 = w1HeldLock;
            r.r4 = lock.isLocked() ? 1 : 0;
            r.r5 = heldTwice ? 1 : 0;
            r.r6 = condition.waiterCount();
        }
    }

    /** W1 is cancelled while the thread signals. */
    @JCStressTest
    @Description("FiberCondition.signal() vs cancel() of the first waiter: the signal is taken by it or passed to the second; the lock is re-acquired, never held twice")
    @Outcome(id = "1, -1, 1, 0, 0, 1", expect = ACCEPTABLE,
            desc = "the signal reached W1 before its cancellation withdrew it: W1 returned normally; W2 still waits")
    @Outcome(id = "2, 1, 1, 0, 0, 0", expect = ACCEPTABLE,
            desc = "W1 was cancelled and withdrew first; the signal went to W2")
    @Outcome(id = "2, -1, .*", expect = FORBIDDEN,
            desc = "signal lost: W1 left cancelled and W2 was not signalled")
    @Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "one signal woke two waiters")
    @Outcome(id = "-?\\d, -?\\d, 0, .*", expect = FORBIDDEN, desc = "W1's wait ended without the lock re-acquired")
    @Outcome(id = "-?\\d, -?\\d, \\d, 1, .*", expect = FORBIDDEN, desc = "the lock was left held")
    @Outcome(id = "-?\\d, -?\\d, \\d, \\d, 1, \\d", expect = FORBIDDEN, desc = "the lock was held by two at once")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class SignalVsCancel extends Base {
        /** Creates the state: W1 then W2 waiting on the condition. */
        public SignalVsCancel() {
            startWaiters();
        }

        @Override
        int w1Wait() {
            try {
                condition.await();
                return SIGNALLED;
            } catch (FiberCancelledException e) {
                return CANCELLED;
            }
        }

        /** Cancels W1 and plays its worker (runs it if the cancellation or the signal resumed it). */
        @Actor
        public void canceller() {
            w1.cancel();
            w1.runNextIfAny();
        }

        /** The signalling thread. */
        @Actor
        public void signaller() {
            signalOnce();
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r as in the class comment
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            runAllAndReport(r);
        }
    }

    /**
     * W1 waits with a short timeout; the timer actor waits until that deadline has passed, fires W1's
     * hook-armed timer on its manual scheduler's queue and runs W1, while the thread signals.
     */
    @JCStressTest
    @Description("FiberCondition.signal() vs the first waiter's timeout: the signal is taken by it or passed to the second; the lock is re-acquired, never held twice")
    @Outcome(id = "1, -1, 1, 0, 0, 1", expect = ACCEPTABLE,
            desc = "the signal reached W1 before its timeout withdrew it: await returned true; W2 still waits")
    @Outcome(id = "3, 1, 1, 0, 0, 0", expect = ACCEPTABLE,
            desc = "W1 timed out and withdrew first; the signal went to W2")
    @Outcome(id = "3, -1, .*", expect = FORBIDDEN,
            desc = "signal lost: W1 timed out and W2 was not signalled")
    @Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "one signal woke two waiters")
    @Outcome(id = "-?\\d, -?\\d, 0, .*", expect = FORBIDDEN, desc = "W1's wait ended without the lock re-acquired")
    @Outcome(id = "-?\\d, -?\\d, \\d, 1, .*", expect = FORBIDDEN, desc = "the lock was left held")
    @Outcome(id = "-?\\d, -?\\d, \\d, \\d, 1, \\d", expect = FORBIDDEN, desc = "the lock was held by two at once")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class SignalVsTimeout extends Base {
        private static final long TIMEOUT_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
        /** W1's deadline is at the latest this (its wait began before). */
        final long latestDeadline;

        /** Creates the state: W1 (with its timer armed) then W2 waiting on the condition. */
        public SignalVsTimeout() {
            startWaiters();
            latestDeadline = System.nanoTime() + TIMEOUT_NANOS;
        }

        @Override
        int w1Wait() {
            return condition.await(Duration.ofNanos(TIMEOUT_NANOS)) ? SIGNALLED : TIMED_OUT;
        }

        /** W1's worker: once the deadline has passed, fires the due timers and runs W1 if it was resumed. */
        @Actor
        public void timer() {
            while (System.nanoTime() - latestDeadline <= 0) {
                Thread.onSpinWait();
            }
            w1.wake(() -> w1.timers().expire(System.nanoTime()) > 0);
            w1.runNextIfAny();
        }

        /** The signalling thread. */
        @Actor
        public void signaller() {
            signalOnce();
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r as in the class comment
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            runAllAndReport(r);
        }
    }
}
