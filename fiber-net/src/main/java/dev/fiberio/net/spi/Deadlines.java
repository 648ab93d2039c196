package dev.fiberio.net.spi;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.spi.WaitSlot;
import java.time.Duration;
import java.util.Objects;

/**
 * Absolute deadlines as used across the SPI: a deadline is a {@link System#nanoTime()} value, or
 * {@link #NO_DEADLINE}. Compare deadlines only through these helpers: they test {@code NO_DEADLINE}
 * first and then use overflow-safe subtraction, as {@code nanoTime} values may be negative.
 */
public final class Deadlines {
    /** "Wait as long as it takes". Never the result of {@link #after(Duration)}. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Longest timeout honoured; longer ones are capped so that {@code now + timeout} cannot overflow. */
    private static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;

    private Deadlines() {
    }

    /**
     * The deadline {@code timeout} from now; a zero or negative timeout gives a deadline that has
     * already passed.
     *
     * @param timeout how long from now
     * @return the absolute deadline, never {@link #NO_DEADLINE}
     */
    public static long after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = timeout.isNegative() ? 0 : MAX_TIMEOUT_NANOS;
        }
        long deadline = System.nanoTime() + Math.clamp(nanos, 0, MAX_TIMEOUT_NANOS);
        return deadline == NO_DEADLINE ? deadline - 1 : deadline;
    }

    /**
     * Whether {@code deadline} has passed.
     *
     * @param deadline an absolute deadline or {@link #NO_DEADLINE}
     * @return false for {@link #NO_DEADLINE}
     */
    public static boolean hasPassed(long deadline) {
        return deadline != NO_DEADLINE && deadline - System.nanoTime() <= 0;
    }

    /**
     * The time left until {@code deadline}.
     *
     * @param deadline an absolute deadline or {@link #NO_DEADLINE}
     * @return the nanoseconds left, 0 if passed, {@link Long#MAX_VALUE} for {@link #NO_DEADLINE}
     */
    public static long remainingNanos(long deadline) {
        return deadline == NO_DEADLINE ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
    }

    /**
     * Waits once on {@code slot} until it is signalled or {@code deadline} passes, then throws if the
     * caller was cancelled. The wake-up reason is advisory: the caller re-checks its own condition
     * (ready? closed? deadline passed?) and may wait again.
     *
     * @param slot     the slot to wait on (the caller is its only waiter)
     * @param deadline an absolute deadline or {@link #NO_DEADLINE}
     * @throws FiberCancelledException if the calling fiber was cancelled (on a plain thread: interrupted)
     */
    public static void awaitOnce(WaitSlot slot, long deadline) {
        // The caller is identified once, before the wait; it is the same fiber after it.
        Fiber self = Fiber.current();
        if (deadline == NO_DEADLINE) {
            slot.await();
        } else {
            slot.awaitUntil(deadline);
        }
        if (self != null ? self.isCancelled() : Thread.currentThread().isInterrupted()) {
            throw new FiberCancelledException((self != null ? self.toString() : "thread " + Thread.currentThread().getName())
                    + " was cancelled while waiting for socket I/O");
        }
    }
}
