package dev.fiberio.core.spi;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dedicated daemon thread that drives one {@link Poller}: it blocks in {@code poll} and dispatches
 * events until {@link #close()}. Closing stops the loop, closes the poller and joins the thread.
 */
public final class PollerThread implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PollerThread.class);

    private final Poller poller;
    private final Thread thread;
    private volatile boolean stopped;

    /**
     * Starts a thread polling {@code poller}.
     *
     * @param name   the thread's name
     * @param poller the poller it drives (owned by this object from now on)
     */
    public PollerThread(String name, Poller poller) {
        this.poller = poller;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        int failures = 0;
        while (!stopped) {
            try {
                if (poller.poll(-1) < 0) {
                    return; // the poller was closed
                }
                failures = 0;
            } catch (IOException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                failures++;
                LOG.error("{}: poll failed ({} in a row)", thread.getName(), failures, e);
                LockSupport.parkNanos(Math.min(1_000_000L << Math.min(failures, 10), 1_000_000_000L));
            }
        }
    }

    /** Stops the thread, closes the poller and waits for the thread to end. Idempotent. */
    @Override
    public void close() {
        stopped = true;
        poller.wakeup();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poller.close();
    }
}
