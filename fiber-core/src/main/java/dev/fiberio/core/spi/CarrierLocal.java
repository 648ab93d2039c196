package dev.fiberio.core.spi;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A value per carrier (worker thread, or plain thread), safe to use from fiber code: scratch memory
 * for native calls, per-carrier caches. Inside a fiber, {@code ThreadLocal} is unsafe for this,
 * because the JIT may reuse a {@code Thread.currentThread()} value read before a suspension after the
 * fiber moved to another carrier; this class finds the carrier through the mounted fiber instead.
 *
 * <p>The value returned inside a fiber belongs to its current carrier only until the fiber next
 * suspends: use it within one non-suspending stretch of code, and never keep it across a suspension.
 * Values of workers live as long as the worker; values of other threads as long as the thread.
 *
 * @param <T> the value type
 */
public final class CarrierLocal<T> {
    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();

    private final int index = NEXT_INDEX.getAndIncrement();
    private final Supplier<? extends T> initial;
    private final ThreadLocal<T> onOtherThreads;

    /**
     * Creates a carrier-local whose value, per carrier, comes from {@code initial}.
     *
     * @param initial creates a carrier's value on its first access
     */
    public CarrierLocal(Supplier<? extends T> initial) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.onOtherThreads = ThreadLocal.withInitial(initial);
    }

    /**
     * The calling carrier's value.
     *
     * @return the value, created on first access
     */
    public T get() {
        T v = CoreAccess.get().carrierLocal(index, initial); // finds the carrier through the mounted fiber
        return v != null ? v : onOtherThreads.get();
    }
}
