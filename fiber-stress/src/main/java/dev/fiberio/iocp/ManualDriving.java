// Package dev.fiberio.core, kept with the IOCP stress tests it serves (their directory): javac
// compiles it from here, since Maven passes every source file explicitly.
package dev.fiberio.core;

import java.util.function.Consumer;

/**
 * Opens fiber-core's package-private driving seams to the IOCP jcstress tests (package
 * {@code dev.fiberio.iocp}, where the IOCP internals they race are): a manual scheduler, whose
 * submitted and resumed fibers go to a sink, and {@code Fiber.runOnCallingThread()}, which runs a
 * fiber on the calling thread until it suspends and then runs its post-switch hook, as a worker does.
 */
public final class ManualDriving {
    private ManualDriving() {
    }

    /**
     * A scheduler without workers.
     *
     * @param name its name
     * @param sink receives every submitted and every resumed fiber, on the thread that submitted it
     * @return the scheduler
     */
    public static FiberScheduler scheduler(String name, Consumer<Fiber> sink) {
        return FiberScheduler.manual(name, sink);
    }

    /**
     * Runs {@code fiber} on the calling thread until it suspends or ends, then its post-switch hook.
     *
     * @param fiber a runnable fiber of a manual scheduler
     * @throws IllegalStateException if the fiber is not runnable (it would run twice)
     */
    public static void runOnCallingThread(Fiber fiber) {
        fiber.runOnCallingThread();
    }
}
