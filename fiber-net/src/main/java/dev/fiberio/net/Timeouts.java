package dev.fiberio.net;

import dev.fiberio.core.sync.FiberLock;
import dev.fiberio.net.spi.Deadlines;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns the public API's timeouts (a {@link Duration}, zero meaning "none") into the SPI's absolute
 * deadlines, and takes a side's lock within a deadline.
 */
final class Timeouts {
    private Timeouts() {
    }

    /**
     * A timeout in nanoseconds, saturated.
     *
     * @throws NullPointerException     if null
     * @throws IllegalArgumentException if negative
     */
    static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The deadline of a call starting now with {@code timeout}; {@link Deadlines#NO_DEADLINE} for zero. */
    static long deadlineFor(Duration timeout) {
        return deadlineFor(nanos(timeout));
    }

    /** The deadline of a call starting now with a timeout in nanoseconds; none for zero. */
    static long deadlineFor(long timeoutNanos) {
        return timeoutNanos == 0 ? Deadlines.NO_DEADLINE : Deadlines.after(Duration.ofNanos(timeoutNanos));
    }

    /**
     * Acquires {@code lock} by {@code deadline} (waiting for the reader, writer or acceptor ahead).
     *
     * @throws SocketTimeoutException from {@code timedOut} if the deadline passes first
     */
    static void lock(FiberLock lock, long deadline, Supplier<SocketTimeoutException> timedOut) throws SocketTimeoutException {
        if (deadline == Deadlines.NO_DEADLINE) {
            lock.lock();
        } else if (!lock.tryLock(Duration.ofNanos(Deadlines.remainingNanos(deadline)))) {
            throw timedOut.get();
        }
    }
}
