package dev.fiberio.uring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits of the fiber-uring tests for a condition another thread (or the ring) brings about. The bound
 * only guards against a hang if the code is broken: it is never reached when it works, so it orders
 * nothing.
 */
final class HangGuard {
    static final long NANOS = TimeUnit.SECONDS.toNanos(30);

    private HangGuard() {
    }

    /** Spins until {@code done}. */
    static void awaitCondition(BooleanSupplier done) {
        long end = System.nanoTime() + NANOS;
        while (!done.getAsBoolean()) {
            assertTrue(end - System.nanoTime() > 0, "hang guard");
            Thread.onSpinWait();
        }
    }

    /** Polls {@code ring} on this thread until {@code done}. */
    static void pollUntil(Ring ring, BooleanSupplier done) throws Exception {
        long end = System.nanoTime() + NANOS;
        while (!done.getAsBoolean()) {
            assertTrue(end - System.nanoTime() > 0, "hang guard");
            ring.poll(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
