package dev.fiberio.core.spi;

import dev.fiberio.core.Fiber;

/**
 * Code that runs on the carrier right after a fiber has been completely switched out: the
 * post-switch hook of {@link FiberSpi#suspend(SuspendHook)}.
 *
 * <p>When it runs, the fiber's stack is frozen and no other thread can be running it, so the hook may
 * publish the fiber to wakers (for example move a {@link WaitSlot} from {@code SUSPENDING} to
 * {@code SUSPENDED}) or resume it at once. A hook must not block and must not throw; it runs on a
 * worker thread of the fiber's scheduler.
 */
@FunctionalInterface
public interface SuspendHook {
    /**
     * Called once, on the worker that ran {@code fiber}, after the fiber has switched out.
     *
     * @param fiber the fiber that just suspended
     */
    void afterSuspend(Fiber fiber);
}
