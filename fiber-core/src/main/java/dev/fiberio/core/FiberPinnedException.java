package dev.fiberio.core;

/**
 * Thrown by a suspending operation when the fiber cannot be switched out, because a native frame
 * (an FFM upcall) or a critical section is on its stack. Nothing was suspended; the operation did not
 * take effect.
 */
public final class FiberPinnedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the fiber is pinned
     */
    public FiberPinnedException(String message) {
        super(message);
    }
}
