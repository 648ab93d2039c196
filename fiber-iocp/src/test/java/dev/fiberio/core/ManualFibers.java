package dev.fiberio.core;

import java.util.function.Consumer;

/**
 * Opens fiber-core's package-private driving seams to the IOCP tests: a manual scheduler (no
 * workers; submitted and resumed fibers go to a sink) and the steps a worker performs, separately,
 * so a test can act between a fiber's switch-out and its post-switch hook.
 */
public final class ManualFibers {
    private ManualFibers() {
    }

    /**
     * A scheduler without workers.
     *
     * @param name its name
     * @param sink receives every submitted or resumed fiber
     * @return the scheduler
     */
    public static FiberScheduler scheduler(String name, Consumer<Fiber> sink) {
        return FiberScheduler.manual(name, sink);
    }

    /**
     * What a worker does first: mounts the RUNNABLE fiber and runs it on the calling thread until it
     * suspends or ends. The post-switch hook has not run yet: a fiber waiting on a slot is SUSPENDING.
     *
     * @param fiber a RUNNABLE fiber
     */
    public static void runUntilSwitchedOut(Fiber fiber) {
        fiber.mount(null);
        fiber.runContinuation();
    }

    /**
     * What a worker does next: marks the fiber switched out and runs its post-switch hook.
     *
     * @param fiber a fiber that {@link #runUntilSwitchedOut} ran
     */
    public static void runPostSwitchHook(Fiber fiber) {
        fiber.afterRun();
    }

    /**
     * Both steps, as a worker does them.
     *
     * @param fiber a RUNNABLE fiber
     */
    public static void run(Fiber fiber) {
        fiber.runOnCallingThread();
    }
}
