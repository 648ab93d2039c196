package dev.fiberio.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A variable with one value per fiber, which, unlike a {@code ThreadLocal}, follows the fiber when
 * it is resumed on another worker thread.
 *
 * <pre>{@code
 * static final FiberLocal<String> REQUEST_ID = FiberLocal.withInitial(() -> "none");
 * REQUEST_ID.set("r-42");
 * socket.read(buf);                 // may resume on another worker
 * assert REQUEST_ID.get().equals("r-42");
 * }</pre>
 *
 * <p>Values live in an array in the fiber, indexed by this variable's id, and are dropped when the
 * fiber terminates. Every method must be called from a fiber.
 *
 * @param <T> the value type
 */
public final class FiberLocal<T> {
    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();

    private final int index = NEXT_INDEX.getAndIncrement();
    private final Supplier<? extends T> initial;

    /** Creates a fiber-local whose initial value is {@code null}. */
    public FiberLocal() {
        this(null);
    }

    private FiberLocal(Supplier<? extends T> initial) {
        this.initial = initial;
    }

    /**
     * Creates a fiber-local whose initial value, per fiber, comes from {@code initial}.
     *
     * @param initial supplies the first value a fiber sees
     * @param <T>     the value type
     * @return the fiber-local
     */
    public static <T> FiberLocal<T> withInitial(Supplier<? extends T> initial) {
        return new FiberLocal<>(java.util.Objects.requireNonNull(initial, "initial"));
    }

    /**
     * The calling fiber's value.
     *
     * @return the value (initialised on first access)
     * @throws IllegalStateException outside a fiber
     */
    public T get() {
        return Fiber.requireCurrent("FiberLocal.get()").localGet(index, initial);
    }

    /**
     * Sets the calling fiber's value.
     *
     * @param value the new value
     * @throws IllegalStateException outside a fiber
     */
    public void set(T value) {
        Fiber.requireCurrent("FiberLocal.set()").localSet(index, value);
    }

    /**
     * Removes the calling fiber's value; the next {@link #get()} initialises it again.
     *
     * @throws IllegalStateException outside a fiber
     */
    public void remove() {
        Fiber.requireCurrent("FiberLocal.remove()").localRemove(index);
    }
}
