package dev.fiberio.nativeio;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a recurring warning at most once per period, with the count of occurrences suppressed since.
 * Thread-safe: one CAS decides which caller logs.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long periodNanos;
    private final AtomicLong lastLogged;
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * @param log         where to log
     * @param periodNanos the shortest interval between two warnings
     */
    public RateLimitedLog(Logger log, long periodNanos) {
        this.log = log;
        this.periodNanos = periodNanos;
        this.lastLogged = new AtomicLong(System.nanoTime() - periodNanos);
    }

    /**
     * Logs {@code message} (SLF4J format) at WARN unless one was logged within the period.
     *
     * @param message the SLF4J format
     * @param args    its arguments
     */
    public void warn(String message, Object... args) {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last < periodNanos || !lastLogged.compareAndSet(last, now)) {
            suppressed.incrementAndGet();
            return;
        }
        long n = suppressed.getAndSet(0);
        if (n > 0) {
            log.warn(message + " ({} similar warnings suppressed)", append(args, n));
        } else {
            log.warn(message, args);
        }
    }

    private static Object[] append(Object[] args, long n) {
        Object[] a = java.util.Arrays.copyOf(args, args.length + 1);
        a[args.length] = n;
        return a;
    }
}
