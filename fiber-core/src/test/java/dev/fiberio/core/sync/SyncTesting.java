package dev.fiberio.core.sync;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.FiberState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/** Helpers shared by the tests of this package. */
final class SyncTesting {
    /** Every test of this package runs on this many workers. */
    static final int WORKERS = 4;

    private SyncTesting() {
    }

    /**
     * Spawns a fiber and waits until it is suspended with {@code queueLength} at {@code expectedLength}:
     * the fiber is then queued, in order, behind those spawned before it.
     *
     * @param s              the scheduler
     * @param body           what the fiber runs (it blocks on the primitive)
     * @param queueLength    the primitive's queue length accessor
     * @param expectedLength the length once this fiber waits
     * @return the fiber
     */
    static Fiber spawnQueued(FiberScheduler s, Runnable body, IntSupplier queueLength, int expectedLength) {
        Fiber f = s.spawn(body);
        awaitCondition("waiter #" + expectedLength + " queued",
                () -> queueLength.getAsInt() == expectedLength && f.state() == FiberState.SUSPENDED);
        return f;
    }

    /**
     * Asserts that {@code f} ended with {@link FiberCancelledException}.
     *
     * @param f the fiber
     */
    static void assertEndedCancelled(Fiber f) {
        assertThrows(FiberCancelledException.class, f::join);
    }

    /**
     * Runs {@code action} while every worker of {@code s} is busy with a spinning fiber, so that a fiber
     * resumed meanwhile cannot run before {@code action} returns (no timing involved: the spinners only
     * stop when released).
     *
     * @param s      the scheduler
     * @param action what to do while no worker is free
     */
    static void withAllWorkersBusy(FiberScheduler s, Runnable action) {
        AtomicInteger spinning = new AtomicInteger();
        AtomicBoolean release = new AtomicBoolean();
        List<Fiber> spinners = new ArrayList<>();
        for (int i = 0; i < s.workerCount(); i++) {
            spinners.add(s.spawn(() -> {
                spinning.incrementAndGet();
                while (!release.get()) {
                    Thread.onSpinWait();
                }
            }));
        }
        try {
            awaitCondition("all workers busy", () -> spinning.get() == s.workerCount());
            action.run();
        } finally {
            release.set(true);
        }
        for (Fiber f : spinners) {
            f.join();
        }
        assertEquals(s.workerCount(), spinning.get());
    }
}
