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
 * A lost wake-up shows as a poll that ran its whole timeout although the wake-up was done within the
 * first half of it. A poll that returned late but before its timeout was woken, only late: the VM or the
 * machine paused the threads (a safepoint, a busy host), which jcstress's stress modes provoke.
 * Fields: r1 1 if the poll returned within half its timeout; 0 if it ran its whole timeout although the
 * wake-up was done within the first half (lost); 2 if it slept on and the wake-up came only later (the
 * waker ran late, or after the poll in a sequential run: nothing to judge); 3 if it returned late but
 * before its timeout (a pause); -1 for a state without a poller ({@link FdBudget}). r2 what the poll
 * returned (socket events: 0, the poller has none).
 */
@JCStressTest
@Description("EpollPoller.wakeup() vs a poll about to block: the poll returns as soon as the wake-up is done")
@Outcome(id = "1, 0", expect = ACCEPTABLE,
        desc = "the poll returned at once: it saw the pending wake-up before blocking, or was woken through the eventfd")
@Outcome(id = "2, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "the waker ran only after half the poll's timeout (descheduled, or after the poll): nothing to judge")
@Outcome(id = "3, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "woken, but the poll returned late, before its timeout: the threads were paused (safepoint, busy host)")
@Outcome(id = "-1, 0", expect = ACCEPTABLE, desc = "not run: this state got no poller (FdBudget)")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "lost wake-up: the poll ran its whole timeout after the wake-up was done")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome: socket events from a poller without sockets")
@State
public class WakeupVsPoll {
    /** Long enough that no pause passes for a lost wake-up, short enough for a sequential run of the actors. */
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);

    static {
        StressPollers.linkNativeCalls();
    }

    private final EpollPoller poller = FdBudget.tryTake() ? StressPollers.open() : null;
    /** {@link System#nanoTime()} after the waker's wakeup() returned; 0 until then. */
    private volatile long wakeDoneAt;

    /** Creates the state: a poller of its own, if the budget allows. */
    public WakeupVsPoll() {
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
        r.r1 = StressPollers.judge(start, System.nanoTime() - start, wakeDoneAt, TIMEOUT_NANOS);
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
