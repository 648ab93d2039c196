package dev.fiberio.core.sync;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import java.time.Duration;
import java.util.Objects;

/**
 * What every primitive of this package asks about its caller: who it is (the fiber, or the thread
 * outside a fiber), whether it was cancelled, and when a timeout ends.
 */
final class WaitSupport {
    /** Longest wait we turn into a deadline; keeps {@code now + timeout} from overflowing. */
    private static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;

    private WaitSupport() {
    }

    /**
     * The identity that owns what the caller acquires: the current fiber, or the current thread when
     * called outside a fiber.
     *
     * @return a {@link Fiber} or a {@link Thread}
     */
    static Object callerIdentity() {
        Fiber f = Fiber.current();
        return f != null ? f : Thread.currentThread();
    }

    /**
     * Whether the caller must stop waiting: the current fiber is cancelled, or, outside a fiber, the
     * current thread is interrupted (its status is left set).
     *
     * @return true if cancelled
     */
    static boolean callerCancelled() {
        return isCancelled(callerIdentity());
    }

    /**
     * Whether {@code caller}, an identity from {@link #callerIdentity()} taken before a wait, must stop
     * waiting. Waits carry the identity they took at their start instead of asking
     * {@link Fiber#current()} again after each wake-up: one lookup per operation, and none after a
     * suspension, when the fiber may be running on another carrier thread.
     *
     * @param caller the waiting Fiber or Thread
     * @return true if the fiber is cancelled or the thread interrupted
     */
    static boolean isCancelled(Object caller) {
        return caller instanceof Fiber f ? f.isCancelled() : ((Thread) caller).isInterrupted();
    }

    /**
     * The exception for a wait ended by cancellation.
     *
     * @param what the wait, for the message ("waiting for FiberLock[...]")
     * @return the exception to throw
     */
    static FiberCancelledException cancelled(String what) {
        Fiber f = Fiber.current();
        String who = f != null ? f.toString() : "thread '" + Thread.currentThread().getName() + "' (interrupted)";
        return new FiberCancelledException(who + " was cancelled while " + what);
    }

    /**
     * The {@link System#nanoTime()} deadline {@code timeout} from now; a zero or negative timeout gives
     * a deadline that has already passed, a huge one saturates.
     *
     * @param timeout the longest wait
     * @return the deadline
     * @throws NullPointerException if {@code timeout} is null
     */
    static long deadlineAfter(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long nanos;
        if (timeout.isNegative()) {
            nanos = 0;
        } else if (timeout.compareTo(Duration.ofNanos(MAX_TIMEOUT_NANOS)) > 0) {
            nanos = MAX_TIMEOUT_NANOS;
        } else {
            nanos = timeout.toNanos();
        }
        return System.nanoTime() + nanos;
    }

    /**
     * Checks a count argument.
     *
     * @param n    the argument
     * @param what its name
     * @return {@code n}
     * @throws IllegalArgumentException if negative
     */
    static int requireNonNegative(int n, String what) {
        if (n < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + n);
        }
        return n;
    }
}
