package dev.fiberio.epoll;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Real {@link EpollPoller}s for the jcstress tests of the epoll backend, and the verdict on a poll that
 * something (a wake-up, a close) should have ended: a poll has a bounded timeout there, so a lost
 * wake-up shows as an outcome instead of a hang.
 */
final class StressPollers {
    /** The poll returned within half its timeout. */
    static final int PROMPT = 1;
    /** It ran its whole timeout although what should have ended it was done within the first half: lost. */
    static final int LOST = 0;
    /** It ran long, and what should have ended it came only after the first half, or not at all: nothing to judge. */
    static final int LATE = 2;
    /** What should have ended it came in time, and it returned late but before its timeout: the threads were paused. */
    static final int PAUSED = 3;

    private StressPollers() {
    }

    /**
     * Judges one poll.
     *
     * @param start   {@link System#nanoTime()} before the poll
     * @param elapsed how long it took
     * @param doneAt  {@link System#nanoTime()} (made odd, never 0) after the call that should end it had
     *                returned, read after the poll returned; 0 if it had not returned yet
     * @param timeout the poll's timeout
     * @return {@link #PROMPT}, {@link #LOST}, {@link #LATE} or {@link #PAUSED}
     */
    static int judge(long start, long elapsed, long doneAt, long timeout) {
        if (elapsed < timeout / 2) {
            return PROMPT;
        }
        if (doneAt == 0 || doneAt - start >= timeout / 2) {
            return LATE;
        }
        return elapsed >= timeout ? LOST : PAUSED;
    }

    /**
     * A new poller: an epoll instance and its eventfd.
     *
     * @return the poller, open; the caller closes it
     */
    static EpollPoller open() {
        try {
            return new EpollPoller();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Links the native calls of a poll, a wake-up and a close. The first of each in a VM links its
     * downcall, which can take longer than half a poll's timeout and would pass for a lost wake-up in
     * jcstress's first (sanity-check) run: a test whose verdict reads a poll's duration calls this
     * before its first state.
     */
    static void linkNativeCalls() {
        EpollPoller warm = open();
        try {
            warm.wakeup();
            warm.poll(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            warm.close();
        }
    }
}
