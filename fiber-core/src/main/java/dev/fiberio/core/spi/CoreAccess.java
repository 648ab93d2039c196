package dev.fiberio.core.spi;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The bridge from the SPI package to fiber-core's internals, which stay package-private in
 * {@code dev.fiberio.core}: the one implementation lives there and installs itself when {@link Fiber} is
 * initialised (the pattern of the JDK's shared secrets). Only fiberio's own modules see this package
 * (it is exported to them alone), and {@link #install} accepts one implementation, once.
 */
public abstract class CoreAccess {
    private static volatile CoreAccess instance;

    /** For the implementation in fiber-core. */
    protected CoreAccess() {
    }

    /**
     * Installs the implementation; fiber-core calls this once, from {@code Fiber}'s initialiser.
     *
     * @param access the implementation
     * @throws IllegalStateException if one is installed already
     */
    public static synchronized void install(CoreAccess access) {
        if (instance != null) {
            throw new IllegalStateException("fiber-core's access is installed already");
        }
        instance = access;
    }

    static CoreAccess get() {
        CoreAccess a = instance;
        if (a == null) {
            try {
                Class.forName(Fiber.class.getName(), true, Fiber.class.getClassLoader()); // installs it
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = instance;
        }
        return a;
    }

    /**
     * Switches the current fiber out with {@code hook}.
     *
     * @param fiber the current fiber
     * @param hook  its post-switch hook
     * @return false if it could not switch out (pinned); nothing was suspended then
     */
    protected abstract boolean trySuspend(Fiber fiber, SuspendHook hook);

    /**
     * Why the fiber's last suspension was refused.
     *
     * @param fiber the fiber
     * @return MONITOR, NATIVE... or null
     */
    protected abstract String lastPinReason(Fiber fiber);

    /**
     * The carrier thread of the current, mounted fiber (reliable where {@code Thread.currentThread()} is not).
     *
     * @param fiber the current fiber
     * @return its carrier
     */
    protected abstract Thread carrierThread(Fiber fiber);

    /**
     * Publishes the slot a fiber waits on, for its cancellation (a volatile write).
     *
     * @param fiber the fiber
     * @param slot  the slot, or null when the wait ended
     */
    protected abstract void setWaitingOn(Fiber fiber, WaitSlot slot);

    /**
     * Resumes a suspended fiber: by the post-switch hook or the one waker that won its slot.
     *
     * @param fiber the fiber
     */
    protected abstract void resume(Fiber fiber);

    /**
     * A fiber starts a pinned wait on its carrier; the scheduler compensates.
     *
     * @param fiber the fiber
     * @return what to run when the wait ends
     */
    protected abstract Runnable pinnedWaitBegins(Fiber fiber);

    /**
     * Arms the deadline timer of a wait, from the post-switch hook.
     *
     * @param fiber    the waiting fiber
     * @param deadline the deadline (nanoTime)
     * @param slot     the slot to wake
     * @param episode  the wait of the slot the timer belongs to
     * @return the timer
     */
    protected abstract TimerHandle armTimer(Fiber fiber, long deadline, WaitSlot slot, long episode);

    /**
     * A clock reading no later than now, for a post-switch hook: the start of the run that just ended
     * on the calling worker (one reading the worker took anyway), else {@link System#nanoTime()}. A
     * deadline found passed by it has passed; one found not passed may have, and its timer then fires
     * on the worker's next turn. Only from a post-switch hook (on the carrier, not inside a fiber).
     *
     * @return a {@link System#nanoTime()} value from the current or an earlier moment
     */
    protected abstract long hookClock();

    /**
     * The calling carrier's value of a carrier-local.
     *
     * @param index   the carrier-local's index
     * @param initial creates the value on first access
     * @param <T>     its type
     * @return the value, or null when the caller is not a worker
     */
    protected abstract <T> T carrierLocal(int index, Supplier<? extends T> initial);

    /**
     * A per-scheduler singleton service, created on first request.
     *
     * @param scheduler the scheduler
     * @param key       identifies the service
     * @param factory   creates it
     * @param <T>       its type
     * @return the service
     */
    protected abstract <T extends AutoCloseable> T service(FiberScheduler scheduler, Object key,
                                                          Function<FiberScheduler, T> factory);

    /**
     * Lets the scheduler's idle workers drive a poller, or one regular worker alone.
     *
     * @param scheduler the scheduler
     * @param poller    the poller
     * @param worker    the regular worker it belongs to, or -1 for any idle worker
     */
    protected abstract void attachPoller(FiberScheduler scheduler, Poller poller, int worker);

    /**
     * The index of the regular worker running the caller, or -1.
     *
     * @return the index, or -1
     */
    protected abstract int currentWorkerIndex();
}
