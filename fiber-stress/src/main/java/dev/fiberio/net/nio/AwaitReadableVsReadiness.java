package dev.fiberio.net.nio;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.stress.FdBudget;
import dev.fiberio.core.DrivenFiber;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIII_Result;

/**
 * The NIO backend's {@link NioRegistration#awaitReadable} against the poller reporting the channel
 * readable. The waiter reads the registration's readiness count ({@code readReadiness}), asks the poller
 * for {@code OP_READ} (interest), waits on the read slot and returns once the count has moved; the
 * poller thread, when the selector selects the key, removes {@code OP_READ} from the interest set (the
 * level-triggered selector made one-shot), increments the count and signals the slot. The count's
 * increment and the slot's wake-up against the waiter's consumption of the wake-up and its re-read of
 * the count form a Dekker pair; the waiter, asking again after each wake-up that did not move the count,
 * re-arms the interest.
 *
 * <p>The real registration, on one end of a real pipe whose other end wrote a byte before the race (the
 * channel is readable throughout), registered with a selector of the state's own that only the actors
 * select: the poller actor is the poller thread's one round ({@code selectNow} with
 * {@link NioPoller#dispatch}, as the poller's loop), the worker actor runs the waiting fiber on a manual
 * scheduler until it suspends, and once more if it was resumed by then (its re-check of the count then
 * races the poller's report). The arbiter then plays the poller thread's next round and runs what was
 * resumed: a waiter still waiting then waits for ever on a readable channel.
 *
 * <p>Fields: r1 what the waiter's awaitReadable did (1 returned, 2 threw, {@link DrivenFiber#NOT_RETURNED}
 * -1 still waits, -3 not run: this state got no descriptors, {@link FdBudget}); r2 resumes; r3 who
 * resumed it (0 nobody, 1 the post-switch hook, 2 a waker: the poller actor or the arbiter's round);
 * r4 resumes refused (run twice, or before its hook); r5 which rounds reported the key readable (1 the
 * poller actor, 2 the arbiter's next round, 3 both); r6 resumes by the arbiter's round, that is, the
 * waiter was suspended and not resumed when the actors had finished. The outcomes listed here hold for
 * every variant; each variant adds those of its starting state.
 */
@Outcome(id = "1, 0, 0, 0, 1, 0", expect = ACCEPTABLE,
        desc = "the poller reported between the waiter's interest and its wait: it found the wake-up and the new count, no suspension")
@Outcome(id = "1, 1, 1, 0, 1, 0", expect = ACCEPTABLE,
        desc = "the poller reported while the waiter was switching out: the post-switch hook resumed it")
@Outcome(id = "1, 1, 2, 0, 1, 0", expect = ACCEPTABLE,
        desc = "the poller's report resumed the suspended waiter")
@Outcome(id = "1, 1, 2, 0, 2, 1", expect = ACCEPTABLE,
        desc = "the poller selected before the waiter asked for OP_READ (nothing to report yet); its next round reported and resumed it")
@Outcome(id = "-3, 0, 0, 0, 0, 0", expect = ACCEPTABLE, desc = "not run: this state got no descriptors (FdBudget)")
@Outcome(id = "-1, .*", expect = FORBIDDEN,
        desc = "lost wake-up: the channel is readable, the waiter waits, and no report will come (its interest was consumed by a report it missed)")
@Outcome(id = "2, .*", expect = FORBIDDEN, desc = "awaitReadable threw on an open channel")
@Outcome(id = "-?\\d+, ([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "resumed twice")
@Outcome(id = "-?\\d+, \\d+, \\d+, [1-9]\\d*, .*", expect = FORBIDDEN, desc = "resumed before the hook, or run twice")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
public final class AwaitReadableVsReadiness {
    /** r1 of a state that got no descriptors. */
    static final int NOT_RUN = -3;

    private AwaitReadableVsReadiness() {
    }

    /** One registration on a readable pipe, a fiber waiting in awaitReadable, and the poller's rounds. */
    abstract static class Race {
        /**
         * A real poller of a manual scheduler's own (its thread selects its own, empty selector): the
         * registrations' interest calls wake it, which is harmless; it never sees their keys.
         */
        private static final NioPoller INTEREST_SINK = pollerOfItsOwn();

        final Pipe pipe;
        final Selector selector;
        final SelectionKey key;
        final NioRegistration reg;
        final DrivenFiber waiter;
        /** Keys the poller actor's round reported (written by that actor, read by the arbiter). */
        private int pollerReports;

        Race() {
            if (!FdBudget.tryTake()) {
                pipe = null;
                selector = null;
                key = null;
                reg = null;
                waiter = null;
                return;
            }
            try {
                pipe = Pipe.open();
                pipe.source().configureBlocking(false);
                selector = Selector.open();
                key = pipe.source().register(selector, 0);
                reg = new NioRegistration(INTEREST_SINK, pipe.source(), key);
                key.attach(reg); // as NioPoller.register does: dispatch finds the registration there
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1})); // the peer's byte: readable from now on
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            waiter = new DrivenFiber("jcstress", this::awaitReadable);
        }

        private static NioPoller pollerOfItsOwn() {
            NioPoller[] poller = new NioPoller[1];
            new DrivenFiber("jcstress", () -> {
                try {
                    poller[0] = NioPoller.forCaller(); // the calling fiber's scheduler's poller
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return 0;
            }).runNext();
            return poller[0];
        }

        private int awaitReadable() {
            try {
                reg.awaitReadable(Deadlines.NO_DEADLINE);
                return 1;
            } catch (IOException e) {
                return 2;
            }
        }

        /** The worker: runs the fiber into its wait, and on at once if it was resumed by then. */
        void runWaiter() {
            if (waiter != null) {
                waiter.runNext();
                waiter.runNextIfAny();
            }
        }

        /** One round of the poller thread. */
        void pollerRound() {
            if (selector != null) {
                pollerReports = selectRound();
            }
        }

        /** The poller thread's round: selects without blocking and dispatches what is ready, as NioPoller's loop. */
        private int selectRound() {
            int[] reported = {0};
            try {
                selector.selectNow(k -> {
                    reported[0]++;
                    NioPoller.dispatch(k);
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return reported[0];
        }

        /** The poller thread's next round, then the resumed fiber; reports and releases the descriptors. */
        void nextRoundAndReport(IIIIII_Result r) {
            if (selector == null) {
                r.r1 = NOT_RUN;
                return;
            }
            int resumedByActors = waiter.resumes();
            int arbiterReports = selectRound();
            int resumedByRound = waiter.resumes() - resumedByActors;
            waiter.runAll();
            r.r1 = waiter.result();
            r.r2 = waiter.resumes();
            r.r3 = waiter.resumer();
            r.r4 = (int) waiter.violations();
            r.r5 = (pollerReports > 0 ? 1 : 0) | (arbiterReports > 0 ? 2 : 0);
            r.r6 = resumedByRound;
            try {
                selector.close(); // deregisters the key, so the channel's close releases its descriptor at once
                pipe.source().close();
                pipe.sink().close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                FdBudget.release();
            }
        }
    }

    /**
     * A registration that never waited before: no interest, no permit, count 0. The poller can report
     * only after the waiter asked, so the waiter must see every report it is woken by: a second report
     * means it consumed the first one's wake-up without seeing its count.
     */
    @JCStressTest
    @JCStressMeta(AwaitReadableVsReadiness.class)
    @Description("NIO awaitReadable vs the poller reporting OP_READ, first wait: the waiter sees the report it is woken by")
    @Outcome(id = "1, \\d+, \\d+, 0, 3, [01]", expect = FORBIDDEN,
            desc = "missed report: the waiter took the report's wake-up without its count, asked again and waited; only the selector's next round ended the wait")
    @State
    public static class FirstWait extends Race {
        /** Creates the state: the registration on a readable pipe, the waiter not started. */
        public FirstWait() {
        }

        /** The worker: runs the fiber into its wait. */
        @Actor
        public void worker() {
            runWaiter();
        }

        /** The poller thread: one select round. */
        @Actor
        public void poller() {
            pollerRound();
        }

        /**
         * The poller thread's next round, then what was resumed.
         *
         * @param r the fields described in the outer class
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            nextRoundAndReport(r);
        }
    }

    /**
     * An earlier wait timed out with its interest still armed and no report yet: the poller can report
     * before this call reads the count, and that report's wake-up is then a stale permit to this call,
     * which asks again.
     */
    @JCStressTest
    @JCStressMeta(AwaitReadableVsReadiness.class)
    @Description("NIO awaitReadable vs the poller reporting OP_READ, an earlier wait's interest still armed: no lost wake-up")
    @Outcome(id = "1, 0, 0, 0, 3, 0", expect = ACCEPTABLE,
            desc = "the poller reported through the earlier interest after the waiter read the count: it found the wake-up at once; the interest it armed meanwhile brought the next round's report (a permit for a later wait)")
    @Outcome(id = "1, 1, [12], 0, 3, 0", expect = ACCEPTABLE,
            desc = "the poller reported through the earlier interest and resumed the waiter; the interest the waiter armed meanwhile brought the next round's report (a permit for a later wait)")
    @Outcome(id = "1, 1, 2, 0, 3, 1", expect = ACCEPTABLE,
            desc = "the poller reported through the earlier interest before the waiter read the count: its wake-up was stale to this call, which asked again; the next round's report resumed it")
    @State
    public static class InterestLeftArmed extends Race {
        /** Creates the state: OP_READ in the interest set, as a timed-out wait leaves it; the waiter not started. */
        public InterestLeftArmed() {
            if (key != null) {
                key.interestOpsOr(SelectionKey.OP_READ);
            }
        }

        /** The worker: runs the fiber into its wait. */
        @Actor
        public void worker() {
            runWaiter();
        }

        /** The poller thread: one select round. */
        @Actor
        public void poller() {
            pollerRound();
        }

        /**
         * The poller thread's next round, then what was resumed.
         *
         * @param r the fields described in the outer class
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            nextRoundAndReport(r);
        }
    }

    /**
     * An earlier wait gave up before its report came: the report left its count and a permit in the
     * read slot, and consumed the interest. The waiter takes the permit as stale and asks again; the
     * poller can report only after the waiter asked, so a waiter still waiting un-resumed after the
     * poller's report missed it.
     */
    @JCStressTest
    @JCStressMeta(AwaitReadableVsReadiness.class)
    @Description("NIO awaitReadable vs the poller reporting OP_READ, a stale permit in the read slot: the waiter sees the report")
    @Outcome(id = "1, 0, 0, 0, 3, 0", expect = ACCEPTABLE,
            desc = "the waiter took the stale permit, read the count before the report's increment and asked again; it found the report's wake-up at once, and its second interest brought the next round's report (a permit for a later wait)")
    @Outcome(id = "1, 1, [12], 0, 3, 0", expect = ACCEPTABLE,
            desc = "the waiter took the stale permit, asked again and suspended; the poller's report resumed it, and the interest armed after that report brought the next round's")
    @Outcome(id = "1, 1, 2, 0, 3, 1", expect = FORBIDDEN,
            desc = "missed report: the poller reported, yet the waiter was still suspended un-resumed after the actors; only the selector's next round ended the wait")
    @State
    public static class StalePermit extends Race {
        /** Creates the state: the late report of an earlier wait (count 1, a permit, no interest); the waiter not started. */
        public StalePermit() {
            if (reg != null) {
                reg.ready(SelectionKey.OP_READ);
            }
        }

        /** The worker: runs the fiber into its wait. */
        @Actor
        public void worker() {
            runWaiter();
        }

        /** The poller thread: one select round. */
        @Actor
        public void poller() {
            pollerRound();
        }

        /**
         * The poller thread's next round, then what was resumed.
         *
         * @param r the fields described in the outer class
         */
        @Arbiter
        public void arbiter(IIIIII_Result r) {
            nextRoundAndReport(r);
        }
    }
}
