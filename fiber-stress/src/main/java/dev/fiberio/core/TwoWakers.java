package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

/**
 * Race (c), and (b) pairwise: two wakers against one fiber that is already suspended in
 * {@link WaitSlot#await()} (the constructor drove it there). Exactly one waker wins: it returns true,
 * its reason is what the fiber gets, and it resumes the fiber, once; the other returns false.
 *
 * <p>Fields r1-r4 as in {@link ResumeOutcomes}; r5 and r6: what the first and the second waker returned
 * (1 true). {@link Fiber#cancel()} returns nothing, so its column stays 0 and the reason tells whether it
 * won. These tests need two CPUs; {@link SignalVsTimeoutVsCancel} races the three wakers of (b) together
 * with the waiter, on machines with four.
 */
public final class TwoWakers {
    private TwoWakers() {
    }

    /** The state all pairs share: a slot, and a fiber suspended on it. */
    abstract static class Base {
        final WaitSlot slot = new WaitSlot();
        final DrivenFiber waiter = new DrivenFiber(slot::await);

        Base() {
            waiter.runNext();
        }

        int signal() {
            return waiter.wake(slot::signal) ? 1 : 0;
        }

        int interrupt(int reason) {
            return waiter.wake(() -> slot.interrupt(reason)) ? 1 : 0;
        }

        void cancel() {
            waiter.cancel();
        }

        void report(IIIIII_Result r) {
            waiter.runAll();
            r.r1 = waiter.result();
            waiter.report(r);
        }
    }

    /** Two {@code signal()}s, as two events for one socket seen by two pollers. */
    @JCStressTest
    @JCStressMeta(ResumeOutcomes.class)
    @Description("signal() vs signal() on a suspended fiber: exactly one returns true, exactly one resume")
    @Outcome(id = {"0, 1, 2, 0, 1, 0", "0, 1, 2, 0, 0, 1"}, expect = ACCEPTABLE,
            desc = "one signal() won and resumed the fiber with SIGNALED; the other found READY")
    @State
    public static class TwoSignals extends Base {
        /** Creates the state: the fiber suspended in {@code await()}. */
        public TwoSignals() {
        }

        /**
         * The first waker.
         *
         * @param r r5 receives its result
         */
        @Actor
        public void signal1(IIIIII_Result r) {
            r.r5 = signal();
        }

        /**
         * The second waker.
         *
         * @param r r6 receives its result
         */
        @Actor
        public void signal2(IIIIII_Result r) {
            r.r6 = signal();
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1-r4 as in {@link ResumeOutcomes}
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            report(r);
        }
    }

    /** {@code signal()} and {@code interrupt(CLOSED)}, as data arriving while the socket is closed. */
    @JCStressTest
    @JCStressMeta(ResumeOutcomes.class)
    @Description("signal() vs interrupt(CLOSED) on a suspended fiber: exactly one returns true, exactly one resume")
    @Outcome(id = "0, 1, 2, 0, 1, 0", expect = ACCEPTABLE, desc = "signal() won and resumed the fiber with SIGNALED")
    @Outcome(id = "3, 1, 2, 0, 0, 1", expect = ACCEPTABLE, desc = "interrupt(CLOSED) won and resumed the fiber with CLOSED")
    @State
    public static class SignalAndClose extends Base {
        /** Creates the state: the fiber suspended in {@code await()}. */
        public SignalAndClose() {
        }

        /**
         * The data waker.
         *
         * @param r r5 receives signal()'s result
         */
        @Actor
        public void signal(IIIIII_Result r) {
            r.r5 = signal();
        }

        /**
         * The closer.
         *
         * @param r r6 receives interrupt(CLOSED)'s result
         */
        @Actor
        public void close(IIIIII_Result r) {
            r.r6 = interrupt(WaitSlot.CLOSED);
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1-r4 as in {@link ResumeOutcomes}
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            report(r);
        }
    }

    /** {@code signal()} and a firing timer's {@code interrupt(TIMED_OUT)}. */
    @JCStressTest
    @JCStressMeta(ResumeOutcomes.class)
    @Description("signal() vs interrupt(TIMED_OUT) on a suspended fiber: exactly one returns true, exactly one resume")
    @Outcome(id = "0, 1, 2, 0, 1, 0", expect = ACCEPTABLE, desc = "signal() won and resumed the fiber with SIGNALED")
    @Outcome(id = "1, 1, 2, 0, 0, 1", expect = ACCEPTABLE, desc = "the timeout won and resumed the fiber with TIMED_OUT")
    @State
    public static class SignalAndTimeout extends Base {
        /** Creates the state: the fiber suspended in {@code await()}. */
        public SignalAndTimeout() {
        }

        /**
         * The data waker.
         *
         * @param r r5 receives signal()'s result
         */
        @Actor
        public void signal(IIIIII_Result r) {
            r.r5 = signal();
        }

        /**
         * The timer.
         *
         * @param r r6 receives interrupt(TIMED_OUT)'s result
         */
        @Actor
        public void timeout(IIIIII_Result r) {
            r.r6 = interrupt(WaitSlot.TIMED_OUT);
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1-r4 as in {@link ResumeOutcomes}
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            report(r);
        }
    }

    /** {@code signal()} and {@link Fiber#cancel()}. */
    @JCStressTest
    @JCStressMeta(ResumeOutcomes.class)
    @Description("signal() vs cancel() on a suspended fiber: exactly one wins, exactly one resume")
    @Outcome(id = "0, 1, 2, 0, 1, 0", expect = ACCEPTABLE, desc = "signal() won and resumed the fiber with SIGNALED")
    @Outcome(id = "2, 1, 2, 0, 0, 0", expect = ACCEPTABLE,
            desc = "cancel() won and resumed the fiber with CANCELLED; signal() found READY")
    @State
    public static class SignalAndCancel extends Base {
        /** Creates the state: the fiber suspended in {@code await()}. */
        public SignalAndCancel() {
        }

        /**
         * The data waker.
         *
         * @param r r5 receives signal()'s result
         */
        @Actor
        public void signal(IIIIII_Result r) {
            r.r5 = signal();
        }

        /** The canceller (its column, r6, stays 0). */
        @Actor
        public void canceller() {
            cancel();
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1-r4 as in {@link ResumeOutcomes}
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            report(r);
        }
    }

    /** A firing timer's {@code interrupt(TIMED_OUT)} and {@link Fiber#cancel()}. */
    @JCStressTest
    @JCStressMeta(ResumeOutcomes.class)
    @Description("interrupt(TIMED_OUT) vs cancel() on a suspended fiber: exactly one wins, exactly one resume")
    @Outcome(id = "1, 1, 2, 0, 1, 0", expect = ACCEPTABLE, desc = "the timeout won and resumed the fiber with TIMED_OUT")
    @Outcome(id = "2, 1, 2, 0, 0, 0", expect = ACCEPTABLE,
            desc = "cancel() won and resumed the fiber with CANCELLED; the timeout found READY")
    @State
    public static class TimeoutAndCancel extends Base {
        /** Creates the state: the fiber suspended in {@code await()}. */
        public TimeoutAndCancel() {
        }

        /**
         * The timer.
         *
         * @param r r5 receives interrupt(TIMED_OUT)'s result
         */
        @Actor
        public void timeout(IIIIII_Result r) {
            r.r5 = interrupt(WaitSlot.TIMED_OUT);
        }

        /** The canceller (its column, r6, stays 0). */
        @Actor
        public void canceller() {
            cancel();
        }

        /**
         * Runs what was resumed and reports.
         *
         * @param r r1-r4 as in {@link ResumeOutcomes}
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            report(r);
        }
    }
}
