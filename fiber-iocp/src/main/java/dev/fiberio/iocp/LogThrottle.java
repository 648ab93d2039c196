package dev.fiberio.iocp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a recurring log message through at most once per period and counts the occurrences it kept
 * silent. Thread-safe: of racing callers, the one whose CAS moves the next admission time wins.
 */
final class LogThrottle {
    private final long periodNanos;
    private final AtomicLong nextAdmission;
    private final AtomicLong silenced = new AtomicLong();

    /**
     * @param periodNanos the shortest time between two admitted messages
     */
    LogThrottle(long periodNanos) {
        this.periodNanos = periodNanos;
        this.nextAdmission = new AtomicLong(System.nanoTime());
    }

    /**
     * Decides about one occurrence.
     *
     * @return -1 if it must not be logged; else how many occurrences were kept silent since the last one logged
     */
    long admit() {
        long now = System.nanoTime();
        long next = nextAdmission.get();
        if (now - next < 0 || !nextAdmission.compareAndSet(next, now + periodNanos)) {
            silenced.incrementAndGet();
            return -1;
        }
        return silenced.getAndSet(0);
    }
}
