package dev.fiberio.net.tls;

import dev.fiberio.core.sync.FiberLock;
import dev.fiberio.net.spi.Deadlines;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/** Turns the API's timeouts (zero meaning none) into absolute deadlines, and takes a lock within one. */
final class TlsDeadline {
    private TlsDeadline() {
    }

    /** A timeout in nanoseconds, saturated; rejects null and negative values. */
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

    /** The deadline of a call starting now; {@link Deadlines#NO_DEADLINE} for a timeout of zero. */
    static long after(long timeoutNanos) {
        return timeoutNanos == 0 ? Deadlines.NO_DEADLINE : Deadlines.after(Duration.ofNanos(timeoutNanos));
    }

    /**
     * The time left until {@code deadline} as the timeout of the next socket call: zero (none) for no
     * deadline.
     *
     * @throws SocketTimeoutException from {@code timedOut} if it has passed
     */
    static Duration remaining(long deadline, Supplier<SocketTimeoutException> timedOut) throws SocketTimeoutException {
        if (deadline == Deadlines.NO_DEADLINE) {
            return Duration.ZERO;
        }
        long left = Deadlines.remainingNanos(deadline);
        if (left <= 0) {
            throw timedOut.get();
        }
        return Duration.ofNanos(left);
    }

    /** Acquires {@code lock} by {@code deadline}, or throws the exception from {@code timedOut}. */
    static void lock(FiberLock lock, long deadline, Supplier<SocketTimeoutException> timedOut) throws SocketTimeoutException {
        if (deadline == Deadlines.NO_DEADLINE) {
            lock.lock();
        } else if (!lock.tryLock(Duration.ofNanos(Deadlines.remainingNanos(deadline)))) {
            throw timedOut.get();
        }
    }
}
