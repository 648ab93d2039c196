package dev.fiberio.core.spi;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberPinnedException;
import dev.fiberio.core.FiberScheduler;
import java.util.Objects;
import java.util.function.Function;

/**
 * The backend contract of fiber-core for fiberio's own modules (I/O backends, sync primitives): switching
 * a fiber out with a post-switch hook, per-scheduler services and pollers driven by idle workers. Not
 * user API: this package is exported only to fiberio's modules.
 */
public final class FiberSpi {
    private FiberSpi() {
    }

    /**
     * Switches the calling fiber out and runs {@code hook} on its worker right after the switch, when
     * the fiber is completely suspended. The fiber stays suspended until something resumes it (a
     * {@link WaitSlot} waker, or the hook itself). Most code wants a {@link WaitSlot}, which implements
     * the wake-up handshake on top of this and waits pinned when the fiber cannot switch out.
     *
     * @param hook the post-switch hook
     * @throws FiberPinnedException  if the fiber cannot switch out (the hook did not run)
     * @throws IllegalStateException outside a fiber
     */
    public static void suspend(SuspendHook hook) {
        Objects.requireNonNull(hook, "hook");
        Fiber f = Fiber.current();
        if (f == null) {
            throw new IllegalStateException("FiberSpi.suspend() must be called from a fiber");
        }
        CoreAccess a = CoreAccess.get();
        if (!a.trySuspend(f, hook)) {
            throw new FiberPinnedException("cannot suspend " + f + ": it is pinned to its carrier ("
                    + a.lastPinReason(f) + ": a held monitor, a native frame such as an FFM upcall, or a class initialiser)");
        }
    }

    /**
     * A per-scheduler singleton, created on first request and closed when the scheduler closes (after
     * its workers stopped, in reverse creation order): an I/O backend's poller group, for instance.
     *
     * @param scheduler the scheduler
     * @param key       identifies the service
     * @param factory   creates it on first request
     * @param <T>       its type
     * @return the service
     * @throws java.util.concurrent.RejectedExecutionException if the scheduler is closing or closed
     */
    public static <T extends AutoCloseable> T service(FiberScheduler scheduler, Object key,
                                                      Function<FiberScheduler, T> factory) {
        return CoreAccess.get().service(scheduler, key, factory);
    }

    /**
     * Lets the scheduler's idle workers drive {@code poller} themselves: a worker with nothing to run
     * takes it and blocks in {@code poll} (with the timeout of the earliest timer) instead of parking; a
     * busy worker polls it without blocking every few dozen fibers. Fibers resumed by its events go to
     * the polling worker's own run queue. The caller still owns and closes the poller.
     *
     * @param scheduler the scheduler
     * @param poller    the poller; called by at most one worker at a time
     */
    public static void attachPoller(FiberScheduler scheduler, Poller poller) {
        CoreAccess.get().attachPoller(scheduler, poller, -1);
    }

    /**
     * Attaches {@code poller} as the own poller of regular worker {@code worker} (0 ≤ worker &lt; the
     * scheduler's worker count): that worker alone drives it, blocking in it when idle and polling it
     * without blocking every few dozen fibers; a spare worker compensating for a blocked one may drive a
     * free one. The caller owns and closes the poller.
     *
     * @param scheduler the scheduler
     * @param poller    the poller
     * @param worker    the index of the regular worker it belongs to
     * @throws IllegalArgumentException if there is no such regular worker
     */
    public static void attachPoller(FiberScheduler scheduler, Poller poller, int worker) {
        if (worker < 0) {
            throw new IllegalArgumentException("no regular worker " + worker);
        }
        CoreAccess.get().attachPoller(scheduler, poller, worker);
    }

    /**
     * The index of the regular worker running the caller (found through the mounted fiber), or -1 on
     * a spare worker or outside the scheduler's workers.
     *
     * @return the index, or -1
     */
    public static int currentWorkerIndex() {
        return CoreAccess.get().currentWorkerIndex();
    }
}
