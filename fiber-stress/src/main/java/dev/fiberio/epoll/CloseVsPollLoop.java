package dev.fiberio.epoll;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.fiberio.stress.FdBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link EpollPoller#close()} against a thread that polls it in a loop until a poll reports it closed
 * (-1), as a worker or a {@code PollerThread} does. Close must end the loop wherever it is: blocked in
 * {@code epoll_wait}, about to enter it, or just back from a poll that consumed a wake-up and about to
 * begin the next. Close marks the epoll descriptor closed (a poll that begins after the mark returns -1
 * at once) and then writes the eventfd (a poll in progress returns; the last one to leave releases the
 * descriptors). With the write first, a poll could consume it, begin the next poll before the mark and
 * block with nothing left to wake it, holding both descriptors.
 *
 * <p>Each poll of the loop is given {@link Race#TIMEOUT_NANOS}, so a close that did not reach the loop shows
 * as an outcome instead of a hang: a poll that ran its whole timeout although {@code close()} had returned
 * within its first half was not ended by the close, and without the timeout it would block for ever. The
 * closer records when {@code close()} returned. Fields: r1 the loop's worst poll, judged by
 * {@link StressPollers#judge} (1 every poll returned within half its timeout; 0 one ran its whole
 * timeout after close had returned: the close was lost; 2 one ran long because close came only later:
 * nothing to judge; 3 one was ended in time but returned late: the threads were paused), -1 for a state
 * without a poller ({@link FdBudget}); r2 the loop's last poll: -1 it saw the close, 0 it gave up after a
 * poll that ran long before close had returned (a sequential run, or a descheduled closer).
 * The outcomes below are those of both variants.
 */
@Outcome(id = "1, -1", expect = ACCEPTABLE,
        desc = "the loop saw the close at once: its poll was ended by the close's wake-up, or began after the mark and returned -1")
@Outcome(id = "2, -1", expect = ACCEPTABLE_INTERESTING,
        desc = "a poll ran long because the closer ran late (descheduled); then the loop saw the close")
@Outcome(id = "2, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "a poll ran long before close had returned (the closer ran after it: a sequential run, or descheduled); the loop gave up: nothing to judge")
@Outcome(id = "3, -1", expect = ACCEPTABLE_INTERESTING,
        desc = "the close ended the poll, which returned late, before its timeout: the threads were paused (safepoint, busy host)")
@Outcome(id = "-1, 0", expect = ACCEPTABLE, desc = "not run: this state got no poller (FdBudget)")
@Outcome(id = "0, .*", expect = FORBIDDEN,
        desc = "close lost: a poll ran its whole timeout after close() had returned; without the timeout it would block for ever, holding the descriptors")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: socket events from a poller without sockets")
public final class CloseVsPollLoop {
    private CloseVsPollLoop() {
    }

    /** A poller of its own (if the budget allows), the loop that polls it, and the closer's time stamp. */
    abstract static class Race {
        /** Far longer than a close's wake-up takes to end a poll; short enough for a sequential run of the actors. */
        static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
        /** r1 of a state that got no poller. */
        static final int NOT_RUN = -1;

        static {
            StressPollers.linkNativeCalls(); // when the first state is made, before any poll is timed
        }

        final EpollPoller poller = FdBudget.tryTake() ? StressPollers.open() : null;
        /** {@link System#nanoTime()} after close() returned, made odd (never 0); 0 until then. */
        private volatile long closeDoneAt;

        /** Polls until a poll says closed, or gives up after a long poll with the close not done. */
        void loopUntilClosed(II_Result r) {
            if (poller == null) {
                r.r1 = NOT_RUN;
                return;
            }
            int worst = StressPollers.PROMPT;
            int n;
            try {
                for (;;) {
                    long start = System.nanoTime();
                    n = poller.poll(TIMEOUT_NANOS);
                    long elapsed = System.nanoTime() - start;
                    long closed = closeDoneAt;
                    worst = worse(worst, StressPollers.judge(start, elapsed, closed, TIMEOUT_NANOS));
                    if (n < 0 || (closed == 0 && elapsed >= TIMEOUT_NANOS / 2)) {
                        break;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            r.r1 = worst;
            r.r2 = n;
        }

        /** Closes the poller and records when close() had returned. */
        void close() {
            poller.close();
            closeDoneAt = System.nanoTime() | 1;
        }

        /** Releases the descriptors (if the race left them: close is idempotent) and the budget slot. */
        void release() {
            if (poller != null) {
                poller.close();
                FdBudget.release();
            }
        }

        /** The graver of two verdicts: lost, then paused, then late, then prompt. */
        private static int worse(int a, int b) {
            return gravity(a) >= gravity(b) ? a : b;
        }

        private static int gravity(int verdict) {
            return switch (verdict) {
                case StressPollers.LOST -> 3;
                case StressPollers.PAUSED -> 2;
                case StressPollers.LATE -> 1;
                default -> 0;
            };
        }
    }

    /** The closer only closes: the loop is blocked in a poll, or between two. */
    @JCStressTest
    @JCStressMeta(CloseVsPollLoop.class)
    @Description("EpollPoller.close() vs a thread polling it in a loop: the loop sees the close, no poll blocks on after it")
    @State
    public static class CloseOnly extends Race {
        /** Creates the state: a poller of its own, if the budget allows. */
        public CloseOnly() {
        }

        /**
         * Polls until a poll says closed.
         *
         * @param r r1, r2 as in the class comment
         */
        @Actor
        public void pollLoop(II_Result r) {
            loopUntilClosed(r);
        }

        /** Closes the poller. */
        @Actor
        public void closer() {
            if (poller != null) {
                close();
            }
        }

        /**
         * Releases what is left.
         *
         * @param r the result, complete already
         */
        @Arbiter
        public void arbiter(II_Result r) {
            release();
        }
    }

    /**
     * The closer wakes the poller first, as a thread that makes a fiber runnable on the polling worker
     * while the scheduler shuts down: the loop's polls return and begin again while close runs, which
     * is where a wake-up written before the mark could be consumed by a poll that then begins again.
     */
    @JCStressTest
    @JCStressMeta(CloseVsPollLoop.class)
    @Description("EpollPoller wakeup() then close() vs a thread polling it in a loop: the loop sees the close, no poll blocks on after it")
    @State
    public static class WakeupThenClose extends Race {
        /** Creates the state: a poller of its own, if the budget allows. */
        public WakeupThenClose() {
        }

        /**
         * Polls until a poll says closed.
         *
         * @param r r1, r2 as in the class comment
         */
        @Actor
        public void pollLoop(II_Result r) {
            loopUntilClosed(r);
        }

        /** Wakes the poller, then closes it. */
        @Actor
        public void closer() {
            if (poller != null) {
                poller.wakeup();
                close();
            }
        }

        /**
         * Releases what is left.
         *
         * @param r the result, complete already
         */
        @Arbiter
        public void arbiter(II_Result r) {
            release();
        }
    }
}
