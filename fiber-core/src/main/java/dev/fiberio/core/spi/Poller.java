package dev.fiberio.core.spi;

import java.io.IOException;

/**
 * An I/O event source (an epoll instance, an I/O completion port) that wakes the
 * {@link dev.fiberio.core.spi.WaitSlot}s of operations whose I/O became ready or completed.
 *
 * <p>Thread model: {@link #poll} is called by one thread at a time (a dedicated {@link PollerThread},
 * or, later, an idle worker); {@link #wakeup()} and {@link #close()} by any thread. How a backend
 * registers its sockets is its own business (registration happens once, at socket creation).
 */
public interface Poller extends AutoCloseable {
    /**
     * Waits for events and dispatches them: wakes the wait slots they concern.
     *
     * @param timeoutNanos longest wait; 0 returns at once, a negative value waits until events or
     *                     {@link #wakeup()}
     * @return the number of events dispatched (0 on timeout or wake-up)
     * @throws IOException if the poller failed; a closed poller returns -1 instead
     */
    int poll(long timeoutNanos) throws IOException;

    /** Makes a blocked or the next {@link #poll} return promptly. Cheap when nobody is blocked. */
    void wakeup();

    /** Stops the poller and frees its resources; a blocked {@link #poll} returns. Idempotent. */
    @Override
    void close();
}
