package dev.fiberio.core.sync;

/**
 * Thrown by {@link FiberChannel} operations that cannot complete because the channel is closed: any send
 * after {@link FiberChannel#close()} (or a send that was waiting when it closed), and a receive once a
 * closed channel has no items left.
 */
public class ChannelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what could not be done
     */
    public ChannelClosedException(String message) {
        super(message);
    }
}
