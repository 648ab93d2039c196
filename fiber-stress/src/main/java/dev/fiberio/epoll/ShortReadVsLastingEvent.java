package dev.fiberio.epoll;

import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLIN;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLRDHUP;
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
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The poller reporting the peer's end of stream ({@code EPOLLIN|EPOLLRDHUP}, through the real
 * {@link EpollPoller#dispatch}) against a reader that was woken by that event and then made a short
 * read which took the last bytes before the FIN. The FIN stays queued and no further event will come,
 * so the reader's rule for "the socket is empty, wait first" ({@link EpollChannel#leftEmpty}) must see
 * the poller's mark: the poller sets it before the wake-up that resumed the reader. If the reader
 * took the short read as emptying the socket it would wait for an event that never comes (a read
 * that hangs on a closed connection). The kernel's state is the real condition: {@code finQueued},
 * written before the event, is what the reader's next read would find.
 *
 * <p>Fields: r1 what the reader returned (1 it went on to read and found the end of stream,
 * 2 it read without the end of stream queued, {@link DrivenFiber#NOT_RETURNED} -1 still waiting after
 * the arbiter ran everything resumed, {@link CloseVsWaitingReader#NOT_RUN} -3 for a state without a
 * descriptor); r2 resumes; r3 resumes the fiber refused; r4 whether the rule said "empty".
 */
@JCStressTest
@Description("EpollPoller.dispatch(EPOLLRDHUP) vs a reader's short read after that wake-up: it must not wait for another event")
@Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE,
        desc = "the event came before the reader waited: it took the permit at once, saw the lasting mark and read the end of stream")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE,
        desc = "the event resumed the waiting reader, which saw the lasting mark, did not take the short read as emptying the socket, and read the end of stream")
@Outcome(id = "-3, 0, 0, 0", expect = ACCEPTABLE, desc = "not run: this state got no descriptor (FdBudget)")
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "the reader waits for an event that will never come, with the FIN queued")
@Outcome(id = "-?\\d+, \\d+, \\d+, 1", expect = FORBIDDEN,
        desc = "the rule took the short read as emptying the socket although the event that woke the reader reported the end of stream")
@Outcome(id = "2, .*", expect = FORBIDDEN, desc = "the reader ran before the event it waited for: the FIN was not queued yet")
@Outcome(expect = FORBIDDEN, desc = "not a listed outcome")
@State
public class ShortReadVsLastingEvent {
    private final StressChannel channel = FdBudget.tryTake() ? StressChannel.open() : null;
    private final DrivenFiber reader = channel == null ? null : new DrivenFiber("jcstress-epoll", this::readAfterTheWakeUp);
    private volatile boolean finQueued;
    private volatile int saidEmpty;

    /** Creates the state: an open channel (if the budget allows) and a reader fiber that has not run. */
    public ShortReadVsLastingEvent() {
    }

    private int readAfterTheWakeUp() {
        try {
            channel.awaitReady(channel.readSlot, Deadlines.NO_DEADLINE, SocketErrors::readTimedOut);
            boolean empty = channel.leftEmpty(3, 64); // a short read: 3 bytes of 64 asked
            saidEmpty = empty ? 1 : 0;
            if (empty) {
                channel.awaitReady(channel.readSlot, Deadlines.NO_DEADLINE, SocketErrors::readTimedOut);
            }
            return finQueued ? 1 : 2; // the next read: end of stream if the FIN is there
        } catch (SocketException closed) {
            return 3;
        } catch (IOException other) {
            return 4;
        }
    }

    /** The reader's worker: runs it into its wait (it suspends: only the event wakes it). */
    @Actor
    public void worker() {
        if (reader != null) {
            reader.runNext();
        }
    }

    /** The kernel queues the FIN, then the poller dispatches the event that reports it. */
    @Actor
    public void poller() {
        if (channel != null) {
            finQueued = true;
            StressChannel.SILENT.dispatch(channel.token, EPOLLIN | EPOLLRDHUP);
        }
    }

    /**
     * Runs what was resumed, reports, closes the channel and gives the descriptor's budget slot back.
     *
     * @param r as in the class comment
     */
    @Arbiter
    public void arbiter(IIII_Result r) {
        if (channel == null) {
            r.r1 = CloseVsWaitingReader.NOT_RUN;
            return;
        }
        reader.runAll();
        r.r1 = reader.result();
        r.r2 = reader.resumes();
        r.r3 = reader.violations();
        r.r4 = saidEmpty;
        channel.close(); // wakes a reader left waiting; its outcome is already taken
        reader.runAll();
        FdBudget.release();
    }
}
