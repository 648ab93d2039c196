package dev.fiberio.epoll;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link EpollPoller#wakeup()} against a {@link EpollPoller#poll} about to block. The wake-up is sticky
 * ({@code wakePending}, one CAS) and writes the eventfd only if a poll may be blocked ({@code polling});
 * the poller writes {@code polling} before it reads {@code wakePending}, the waker CASes
 * {@code wakePending} before it reads {@code polling}. Whatever the interleaving one side sees the other:
 * the poll finds the pending wake-up and does not block, or the wake-up finds it polling and writes the
 * eventfd. Either way the poll returns as soon as the wake-up is done.
 *
 * <p>The poll is given {@link #TIMEOUT_NANOS}; the waker records when its {@code wakeup()} had returned.
 * Fields: r1 1 if the poll returned within half its timeout; 0 if it slept on although the wake-up was
 * done within the first half (a lost wake-up); 2 if it slept on and the wake-up came only later (the
 * waker ran late: nothing to judge); -1 for a state without a poller ({@link FdBudget}). r2 what the
 * poll returned (socket events: 0, the poller has none).
 */
@JCStressTest
@Description("EpollPoller.wakeup() vs a poll about to block: the poll returns as soon as the wake-up is done")
@Outcome(id = "1, 0", expect = ACCEPTABLE,
        desc = "the poll returned at once: it saw the pending wake-up before blocking, or was woken through the eventfd")
@Outcome(id = "2, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "the waker ran only after half the poll's timeout (descheduled, or after the poll): nothing to judge")
@Outcome(id = "-1, 0", expect = ACCEPTABLE, desc = "not run: this state got no poller (FdBudget)")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "lost wake-up: the poll slept on after the wake-up was done")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: socket events from a poller without sockets")
@State
public class WakeupVsPoll {
    /** Long enough for a clear verdict, short enough that a sequential run of the actors stays quick. */
    static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final EpollPoller poller = FdBudget.tryTake() ? newPoller() : null;
    /** {@link System#nanoTime()} after the waker's wakeup() returned; 0 until then. */
    private volatile long wakeDoneAt;

    /** Creates the state: a poller of its own, if the budget allows. */
    public WakeupVsPoll() {
    }

    private static EpollPoller newPoller() {
        try {
            return new EpollPoller();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Polls and judges how long it took.
     *
     * @param r r1, r2 as in the class comment
     */
    @Actor
    public void poll(II_Result r) {
        if (poller == null) {
            r.r1 = -1;
            return;
        }
        long start = System.nanoTime();
        try {
            r.r2 = poller.poll(TIMEOUT_NANOS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (System.nanoTime() - start < TIMEOUT_NANOS / 2) {
            r.r1 = 1;
        } else {
            long woken = wakeDoneAt;
            r.r1 = woken != 0 && woken - start < TIMEOUT_NANOS / 2 ? 0 : 2;
        }
    }

    /** Wakes the poller and records when that was done. */
    @Actor
    public void waker() {
        if (poller != null) {
            poller.wakeup();
            wakeDoneAt = System.nanoTime() | 1; // never 0, which means "not yet"
        }
    }

    /**
     * Releases the poller's descriptors and its budget slot.
     *
     * @param r the result, complete already (taken so that every test of the module has the same arbiter shape)
     */
    @Arbiter
    public void arbiter(II_Result r) {
        if (poller != null) {
            poller.close();
            FdBudget.release();
        }
    }
}
