package dev.fiberio.core;

import java.util.concurrent.CancellationException;

/**
 * Thrown by a blocking operation of a fiber that was {@linkplain Fiber#cancel() cancelled}, and by
 * {@link Fiber#join()} of a fiber that ended with it. Cancellation is sticky: once a fiber is
 * cancelled, each later blocking operation throws this too.
 */
public class FiberCancelledException extends CancellationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was cancelled
     */
    public FiberCancelledException(String message) {
        super(message);
    }
}
