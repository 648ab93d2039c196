package dev.fiberio.core;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A worker's {@link RunQueue} (capacity 2 here, so that it fills and its cells are reused lap after lap)
 * and the scheduler's overflow queue, offered to, polled by the owner and polled by a thief at once.
 * Three fibers A, B, C stand for the queued fibers (the queue does not look at them). The arbiter
 * drains the run queue and the overflow queue and counts where every fiber ended: each must be taken
 * or still queued exactly once.
 *
 * <p>Fields: r1, r2, r3 how many times A, B, C were seen in all (taken by an actor, or drained by the
 * arbiter): 1 each; r4 per test.
 */
public final class RunQueueRaces {
    private static final FiberScheduler OWNER = FiberScheduler.manual("jcstress-runqueue", f -> { });
    static final Fiber A = new Fiber(OWNER, "A", () -> { });
    static final Fiber B = new Fiber(OWNER, "B", () -> { });
    static final Fiber C = new Fiber(OWNER, "C", () -> { });

    private RunQueueRaces() {
    }

    /** A run queue and an overflow queue, with the submitter's spill and the arbiter's accounting. */
    abstract static class Base {
        final FiberScheduler scheduler = FiberScheduler.manual("jcstress-runqueue", f -> { });
        final RunQueue queue = new RunQueue(2);
        int a;
        int b;
        int c;

        /** Moves the queue's positions {@code laps} cells on, so the race happens on reused cells. */
        void advance(int laps) {
            for (int i = 0; i < laps; i++) {
                queue.offer(C);
                queue.poll();
            }
        }

        /** What {@code FiberScheduler.submit} does: the run queue, or the overflow queue when it is full. */
        void submit(Fiber f) {
            if (!queue.offer(f)) {
                scheduler.overflowOffer(f);
            }
        }

        /** Counts a fiber that an actor took (synchronized: actors and arbiter; jcstress orders the latter). */
        synchronized void took(Fiber f) {
            if (f == A) {
                a++;
            } else if (f == B) {
                b++;
            } else if (f == C) {
                c++;
            }
        }

        void drainAndReport(IIII_Result r) {
            for (Fiber f; (f = queue.poll()) != null; ) {
                took(f);
            }
            for (Fiber f; (f = scheduler.pollOverflow()) != null; ) {
                took(f);
            }
            synchronized (this) {
                r.r1 = a;
                r.r2 = b;
                r.r3 = c;
            }
        }
    }

    /**
     * Two producers offer into a queue that holds one fiber (capacity 2): one of them finds it full and
     * spills to the overflow queue, as {@code submit} does. r4: fibers that went to the overflow queue.
     */
    @JCStressTest
    @Description("Two offers into a RunQueue with one free cell: one lands there, the other spills to the overflow queue; none lost or doubled")
    @Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "one offer took the free cell, the other spilled to the overflow queue")
    @Outcome(id = "1, 1, 1, [02-9]", expect = FORBIDDEN, desc = "all fibers kept, but not exactly one spilled: the capacity was not respected")
    @Outcome(expect = FORBIDDEN, desc = "a fiber lost (0) or duplicated (2)")
    @State
    public static class OfferVsOffer extends Base {
        /** Creates the state: C queued, one lap on. */
        public OfferVsOffer() {
            advance(1);
            queue.offer(C);
        }

        /** The first producer. */
        @Actor
        public void first() {
            submit(A);
        }

        /** The second producer. */
        @Actor
        public void second() {
            submit(B);
        }

        /**
         * Drains and counts.
         *
         * @param r as in the class comment; r4 the overflow queue's size before the drain
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            int spilled = 0;
            for (Fiber f; (f = scheduler.pollOverflow()) != null; spilled++) {
                took(f);
            }
            drainAndReport(r);
            r.r4 = spilled;
        }
    }

    /**
     * The owner polls while a thief polls, from a queue of two (A, B). r4: fibers taken by the actors.
     */
    @JCStressTest
    @Description("The owner's poll vs a thief's poll on a RunQueue of two: each takes a different fiber")
    @Outcome(id = "1, 1, 0, 2", expect = ACCEPTABLE, desc = "each took one fiber, a different one")
    @Outcome(expect = FORBIDDEN, desc = "a fiber lost, duplicated, or a poll found nothing though two were queued")
    @State
    public static class PollVsSteal extends Base {
        volatile int taken;

        /** Creates the state: A and B queued, on reused cells. */
        public PollVsSteal() {
            advance(3);
            queue.offer(A);
            queue.offer(B);
        }

        void take() {
            Fiber f = queue.poll();
            if (f != null) {
                took(f);
                synchronized (this) {
                    taken++;
                }
            }
        }

        /** The owner. */
        @Actor
        public void owner() {
            take();
        }

        /** The thief. */
        @Actor
        public void thief() {
            take();
        }

        /**
         * Drains and counts.
         *
         * @param r as in the class comment
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r4 = taken;
            drainAndReport(r);
        }
    }

    /**
     * A producer offers A then B into an empty queue while a thief polls twice; the thief may find a cell
     * whose producer has not published yet and get nothing from that poll (allowed: the worker's park
     * check counts such a fiber through {@code isEmpty()}), but never B before A. r4: the fibers the
     * thief got (0, 1 or 2), or -1 if it got B without A before it.
     */
    @JCStressTest
    @Description("Offers vs a thief's polls on a RunQueue: every offered fiber is stolen or still queued, exactly once, in order")
    @Outcome(id = "1, 1, 0, [012]", expect = ACCEPTABLE, desc = "the thief took none, one or both fibers; the rest stayed queued")
    @Outcome(id = "1, 1, 0, -1", expect = FORBIDDEN, desc = "out of order: the thief took B, offered after A, while A was still queued")
    @Outcome(expect = FORBIDDEN, desc = "a fiber lost or duplicated")
    @State
    public static class OfferVsSteal extends Base {
        int stolen;

        /** Creates the state: an empty queue on reused cells. */
        public OfferVsSteal() {
            advance(5);
        }

        /** The producer. */
        @Actor
        public void producer() {
            submit(A);
            submit(B);
        }

        /** The thief. */
        @Actor
        public void thief() {
            for (int i = 0; i < 2; i++) {
                Fiber f = queue.poll();
                if (f != null) {
                    took(f);
                    stolen = f == B && stolen == 0 ? -1 : stolen < 0 ? stolen : stolen + 1;
                }
            }
        }

        /**
         * Drains and counts.
         *
         * @param r as in the class comment
         */
        @Arbiter
        public void arbiter(IIII_Result r) {
            r.r4 = stolen;
            drainAndReport(r);
        }
    }
}
