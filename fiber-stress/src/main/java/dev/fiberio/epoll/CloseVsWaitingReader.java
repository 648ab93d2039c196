package dev.fiberio.epoll;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.fiberio.core.DrivenFiber;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import dev.fiberio.stress.FdBudget;
import java.io.IOException;
import java.net.SocketException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * {@link EpollChannel#close()} against a fiber entering its wait on the channel's read slot, as a read
 * does after {@code EAGAIN} ({@link EpollChannel#awaitReady}, retried after every wake-up). Close marks
 * the descriptor closed and then signals the slot, so whenever the fiber checks the descriptor, the
 * close reaches it: the fiber must always wake, once, after its post-switch hook, and end with
 * "Socket closed".
 *
 * <p>Fields: r1 what the reader returned (1 "Socket closed", 2 another I/O error,
 * {@link DrivenFiber#NOT_RETURNED} -1 if it still waits after the arbiter ran everything resumed,
 * {@link #NOT_RUN} -3 for a state without a descriptor, see {@link FdBudget}); r2 resumes; r3 who
 * resumed it (0 nobody: it never suspended, 1 the post-switch hook, 2 the closer); r4 resumes the
 * fiber refused (run twice or before its hook); r5 whether close() threw.
 */
@JCStressTest
@Description("EpollChannel.close() vs a fiber entering its wait on the read slot: the reader always wakes, once")
@Outcome(id = "1, 0, 0, 0, 0", expect = ACCEPTABLE,
        desc = "close came before the reader suspended: it saw the descriptor closed (or the close's permit) at once")
@Outcome(id = "1, 1, 1, 0, 0", expect = ACCEPTABLE,
        desc = "close signalled while the reader was switching out: the post-switch hook resumed it")
@Outcome(id = "1, 1, 2, 0, 0", expect = ACCEPTABLE,
        desc = "close signalled the suspended reader: the closer resumed it")
@Outcome(id = "-3, 0, 0, 0, 0", expect = ACCEPTABLE, desc = "not run: this state got no descriptor (FdBudget)")
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "never resumed")
@Outcome(id = "-?\\d+, ([2-9]|\\d{2,}), .*", expect = FORBIDDEN, desc = "resumed twice")
@Outcome(id = "-?\\d+, \\d+, \\d+, [1-9]\\d*, .*", expect = FORBIDDEN, desc = "resumed before the hook")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
@State
public class CloseVsWaitingReader {
    /** r1 of a state that got no descriptor. */
    static final int NOT_RUN = -3;

    private final StressChannel channel = FdBudget.tryTake() ? StressChannel.open() : null;
    private final DrivenFiber reader = channel == null ? null : new DrivenFiber("jcstress-epoll", this::readUntilClosed);

    /** Creates the state: an open channel (if the budget allows) and a reader fiber that has not run. */
    public CloseVsWaitingReader() {
    }

    private int readUntilClosed() {
        try {
            for (;;) { // a read retries after every wake-up, as EpollSocket.read does after EAGAIN
                channel.awaitReady(channel.readSlot, Deadlines.NO_DEADLINE, SocketErrors::readTimedOut);
            }
        } catch (SocketException closed) {
            return 1;
        } catch (IOException other) {
            return 2;
        }
    }

    /** The worker: runs the reader into its wait until it suspends, then the post-switch hook. */
    @Actor
    public void worker() {
        if (reader != null) {
            reader.runNext();
        }
    }

    /**
     * Closes the channel.
     *
     * @param r r5 as in the class comment
     */
    @Actor
    public void closer(IIIII_Result r) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IllegalStateException refusedResume) {
            r.r5 = 1; // also counted in the scheduler's invariant violations
        }
    }

    /**
     * Runs what was resumed, reports, and gives the descriptor's budget slot back.
     *
     * @param r r1-r4 as in the class comment
     */
    @Arbiter
    public void arbiter(IIIII_Result r) {
        if (channel == null) {
            r.r1 = NOT_RUN;
            return;
        }
        reader.runAll();
        channel.close(); // closed by the closer already; idempotent
        FdBudget.release();
        r.r1 = reader.result();
        r.r2 = reader.resumes();
        r.r3 = reader.resumer();
        r.r4 = reader.violations();
    }
}
