package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A waiter with a real condition behind its {@link WaitSlot}, as every caller has one ({@code future.isDone()}
 * in {@code Fiber.await}, a node's status in the sync primitives, the system call of a socket read):
 * the slot holds a wake-up left over from an earlier round; the waiter consumes it and re-checks its
 * condition; the waker sets the condition and then signals. The two sides form a Dekker pair (each
 * writes one variable and reads the other): if the waiter's read of the condition could pass its
 * consumption of the permit, and the waker's read of the slot could pass its write of the condition,
 * the waiter would miss the condition, the waker would see the old permit and leave nothing, and the
 * waiter would sleep on an idle slot forever — a lost wake-up.
 *
 * <p>The waker publishes its condition with a volatile store ({@code *Volatile}) or a release store
 * ({@code *Release}, as {@code WaitNode.complete} does); the waiter reads it with a volatile load. The
 * waiter is a plain thread ({@code Thread*}) or a fiber ({@code Fiber*}).
 */
public final class ConsumeThenCheck {
    private ConsumeThenCheck() {
    }

    /** The waiter's condition, with both ways of publishing it. */
    static final class Condition {
        private static final VarHandle SET;

        static {
            try {
                SET = MethodHandles.lookup().findVarHandle(Condition.class, "set", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused")
        private volatile boolean set;

        void setVolatile() {
            set = true;
        }

        void setRelease() {
            SET.setRelease(this, true);
        }

        boolean isSet() {
            return set;
        }
    }

    /**
     * The plain-thread waiter. The thread consumes the left-over permit ({@code await()} returns at once)
     * and reads the condition (r1: 1 set). If it was not set, the thread would wait again; the arbiter
     * plays that next wait with a deadline already passed, so it cannot hang: r2 is its reason (0 SIGNALED:
     * a wake-up was there; 1 TIMED_OUT: nothing was, the real waiter would sleep forever), -1 when the
     * condition was seen and no next wait is needed. r3: what {@code signal()} returned (1 true).
     */
    abstract static class ThreadWaiter {
        final WaitSlot slot = new WaitSlot();
        final Condition condition = new Condition();

        ThreadWaiter() {
            slot.signal(); // the wake-up left over from an earlier round
        }

        abstract void publish();

        void waitThenCheck(III_Result r) {
            slot.await();
            r.r1 = condition.isSet() ? 1 : 0;
        }

        void publishThenSignal(III_Result r) {
            publish();
            r.r3 = slot.signal() ? 1 : 0;
        }

        void nextWaitIfNeeded(III_Result r) {
            r.r2 = r.r1 == 1 ? -1 : slot.awaitUntil(System.nanoTime());
        }
    }

    /** Plain-thread waiter; the waker publishes with a volatile store. */
    @JCStressTest
    @Description("A thread consumes a left-over permit then checks its condition vs a waker that sets it (volatile) then signals: no lost wake-up")
    @Outcome(id = "1, -1, 0", expect = ACCEPTABLE,
            desc = "the waiter saw the condition; signal() found the left-over permit not yet consumed and merged with it")
    @Outcome(id = "1, -1, 1", expect = ACCEPTABLE,
            desc = "the waiter saw the condition; signal() came after the consume and left a permit (one spurious wake-up later)")
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE,
            desc = "the waiter checked before the condition was set; signal() left a permit, which its next wait found at once")
    @Outcome(id = "0, 1, 0", expect = FORBIDDEN,
            desc = "lost wake-up: the waiter missed the condition and signal() saw the old permit and left nothing; the next wait would sleep forever")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class ThreadVolatile extends ThreadWaiter {
        /** Creates the state: a permit in the slot, the condition not set. */
        public ThreadVolatile() {
        }

        /**
         * The waiter: consumes the permit, checks the condition.
         *
         * @param r r1 receives whether it saw the condition
         */
        @Actor
        public void waiter(III_Result r) {
            waitThenCheck(r);
        }

        /**
         * The waker: sets the condition, then signals.
         *
         * @param r r3 receives signal()'s result
         */
        @Actor
        public void waker(III_Result r) {
            publishThenSignal(r);
        }

        /**
         * The waiter's next wait, if it needs one (with its deadline passed: it only looks for a wake-up).
         *
         * @param r r2 receives its reason, or -1
         */
        @Arbiter
        public void arbiter(III_Result r) {
            nextWaitIfNeeded(r);
        }

        @Override
        void publish() {
            condition.setVolatile();
        }
    }

    /** Plain-thread waiter; the waker publishes with a release store. */
    @JCStressTest
    @Description("A thread consumes a left-over permit then checks its condition vs a waker that sets it (release store) then signals: no lost wake-up")
    @Outcome(id = "1, -1, 0", expect = ACCEPTABLE,
            desc = "the waiter saw the condition; signal() found the left-over permit not yet consumed and merged with it")
    @Outcome(id = "1, -1, 1", expect = ACCEPTABLE,
            desc = "the waiter saw the condition; signal() came after the consume and left a permit (one spurious wake-up later)")
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE,
            desc = "the waiter checked before the condition was set; signal() left a permit, which its next wait found at once")
    @Outcome(id = "0, 1, 0", expect = FORBIDDEN,
            desc = "lost wake-up: the waiter missed the condition and signal() saw the old permit and left nothing; the next wait would sleep forever")
    @Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
    @State
    public static class ThreadRelease extends ThreadWaiter {
        /** Creates the state: a permit in the slot, the condition not set. */
        public ThreadRelease() {
        }

        /**
         * The waiter: consumes the permit, checks the condition.
         *
         * @param r r1 receives whether it saw the condition
         */
        @Actor
        public void waiter(III_Result r) {
            waitThenCheck(r);
        }

        /**
         * The waker: sets the condition, then signals.
         *
         * @param r r3 receives signal()'s result
         */
        @Actor
        public void waker(III_Result r) {
            publishThenSignal(r);
        }

        /**
         * The waiter's next wait, if it needs one (with its deadline passed: it only looks for a wake-up).
         *
         * @param r r2 receives its reason, or -1
         */
        @Arbiter
        public void arbiter(III_Result r) {
            nextWaitIfNeeded(r);
        }

        @Override
        void publish() {
            condition.setRelease();
        }
    }

    /**
     * The fiber waiter, driven by the worker actor: it waits in a loop until its condition holds, as
     * {@code Fiber.await} does; its first {@code await()} consumes the left-over permit without
     * suspending. Fields r1-r4 as in {@link ResumeOutcomes} for the last wait; r5 the number of waits it
     * began; r6 what {@code signal()} returned (1 true). The arbiter runs what was resumed and signals
     * nothing: a fiber still waiting then has lost its wake-up.
     */
    abstract static class FiberWaiter {
        final WaitSlot slot = new WaitSlot();
        final Condition condition = new Condition();
        int waits;
        final DrivenFiber waiter = new DrivenFiber(() -> {
            for (;;) {
                waits++;
                int reason = slot.await();
                if (condition.isSet()) {
                    return reason;
                }
            }
        });

        FiberWaiter() {
            slot.signal(); // the wake-up left over from an earlier round
        }

        abstract void publish();

        void runFiber() {
            waiter.runNext();
        }

        void publishThenSignal(IIIIII_Result r) {
            publish();
            r.r6 = waiter.wake(slot::signal) ? 1 : 0;
        }

        void runResumedAndReport(IIIIII_Result r) {
            waiter.runAll();
            r.r1 = waiter.result();
            waiter.report(r);
            r.r5 = waits;
        }
    }

    /** Fiber waiter; the waker publishes with a volatile store. */
    @JCStressTest
    @JCStressMeta(ResumeOutcomes.class)
    @Description("A fiber consumes a left-over permit then checks its condition vs a waker that sets it (volatile) then signals: no lost wake-up")
    @Outcome(id = "0, 0, 0, 0, 1, [01]", expect = ACCEPTABLE,
            desc = "the fiber saw the condition after consuming the permit; signal() merged with that permit (0) or left one (1)")
    @Outcome(id = "0, 0, 0, 0, 2, 1", expect = ACCEPTABLE,
            desc = "the fiber checked before the condition was set; its second wait found the signal's permit at once")
    @Outcome(id = "0, 1, 1, 0, 2, 1", expect = ACCEPTABLE,
            desc = "signal() came while the second wait was switching out: the post-switch hook resumed the fiber")
    @Outcome(id = "0, 1, 2, 0, 2, 1", expect = ACCEPTABLE,
            desc = "signal() came after the second wait suspended: the waker resumed the fiber")
    @Outcome(id = "-1, 0, 0, 0, 2, 0", expect = FORBIDDEN,
            desc = "lost wake-up: the fiber missed the condition and signal() saw the old permit and left nothing; the second wait sleeps forever")
    @State
    public static class FiberVolatile extends FiberWaiter {
        /** Creates the state: a permit in the slot, the condition not set, the fiber not started. */
        public FiberVolatile() {
        }

        /** The worker: runs the fiber into its wait loop. */
        @Actor
        public void worker() {
            runFiber();
        }

        /**
         * The waker: sets the condition, then signals.
         *
         * @param r r6 receives signal()'s result
         */
        @Actor
        public void waker(IIIIII_Result r) {
            publishThenSignal(r);
        }

        /**
         * Runs what was resumed (signalling nothing more) and reports.
         *
         * @param r r1-r4 as in {@link ResumeOutcomes}, r5 the waits begun
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            runResumedAndReport(r);
        }

        @Override
        void publish() {
            condition.setVolatile();
        }
    }

    /** Fiber waiter; the waker publishes with a release store. */
    @JCStressTest
    @JCStressMeta(ResumeOutcomes.class)
    @Description("A fiber consumes a left-over permit then checks its condition vs a waker that sets it (release store) then signals: no lost wake-up")
    @Outcome(id = "0, 0, 0, 0, 1, [01]", expect = ACCEPTABLE,
            desc = "the fiber saw the condition after consuming the permit; signal() merged with that permit (0) or left one (1)")
    @Outcome(id = "0, 0, 0, 0, 2, 1", expect = ACCEPTABLE,
            desc = "the fiber checked before the condition was set; its second wait found the signal's permit at once")
    @Outcome(id = "0, 1, 1, 0, 2, 1", expect = ACCEPTABLE,
            desc = "signal() came while the second wait was switching out: the post-switch hook resumed the fiber")
    @Outcome(id = "0, 1, 2, 0, 2, 1", expect = ACCEPTABLE,
            desc = "signal() came after the second wait suspended: the waker resumed the fiber")
    @Outcome(id = "-1, 0, 0, 0, 2, 0", expect = FORBIDDEN,
            desc = "lost wake-up: the fiber missed the condition and signal() saw the old permit and left nothing; the second wait sleeps forever")
    @State
    public static class FiberRelease extends FiberWaiter {
        /** Creates the state: a permit in the slot, the condition not set, the fiber not started. */
        public FiberRelease() {
        }

        /** The worker: runs the fiber into its wait loop. */
        @Actor
        public void worker() {
            runFiber();
        }

        /**
         * The waker: sets the condition, then signals.
         *
         * @param r r6 receives signal()'s result
         */
        @Actor
        public void waker(IIIIII_Result r) {
            publishThenSignal(r);
        }

        /**
         * Runs what was resumed (signalling nothing more) and reports.
         *
         * @param r r1-r4 as in {@link ResumeOutcomes}, r5 the waits begun
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            runResumedAndReport(r);
        }

        @Override
        void publish() {
            condition.setRelease();
        }
    }
}
