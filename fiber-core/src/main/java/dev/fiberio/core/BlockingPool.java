package dev.fiberio.core;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scheduler's blocking-offload pool ({@link Fiber#blocking}): platform threads for what cannot be made
 * non-blocking (files, DNS, legacy blocking APIs). Created on first use; its threads time out when idle.
 * Touched by fibers (submit) and by the scheduler's close (shutdown); the executor is published with a
 * volatile write under this object's monitor, which no fiber holds across a suspension.
 */
final class BlockingPool {
    private final String schedulerName;
    private final int threads;
    private volatile ExecutorService executor;
    private boolean shutDown; // guarded by this

    BlockingPool(String schedulerName, int threads) {
        this.schedulerName = schedulerName;
        this.threads = threads;
    }

    /** The executor, created on first use. */
    ExecutorService executor() {
        ExecutorService e = executor;
        if (e != null) {
            return e;
        }
        synchronized (this) {
            if (shutDown) {
                throw new RejectedExecutionException("scheduler '" + schedulerName + "' is closed");
            }
            if (executor == null) {
                AtomicInteger n = new AtomicInteger();
                ThreadPoolExecutor tpe = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(), r -> {
                            Thread t = new Thread(r, "fiberio-" + schedulerName + "-blocking-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                tpe.allowCoreThreadTimeOut(true);
                executor = tpe;
            }
            return executor;
        }
    }

    /** Refuses new work and interrupts running calls. */
    void shutdown() {
        ExecutorService e;
        synchronized (this) {
            shutDown = true;
            e = executor;
        }
        if (e != null) {
            e.shutdownNow();
        }
    }
}
