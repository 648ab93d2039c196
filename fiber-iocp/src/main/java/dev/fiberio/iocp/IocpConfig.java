package dev.fiberio.iocp;

import java.util.concurrent.TimeUnit;

/**
 * The sizes and bounds of an {@link IocpGroup}, from system properties for the process-wide group.
 *
 * @param pollers       poller threads on the port; 0 starts none (tests drive an {@link IocpPoller} themselves)
 * @param bufferSize    the data buffer of each read and write record, in bytes
 * @param postedAccepts AcceptEx operations each listener keeps posted, so that a burst of connections
 *                      finds accepting sockets ready instead of a backlog that refuses them
 * @param cancelGraceNanos how long an operation whose deadline passed waits for the completion that
 *                      CancelIoEx should bring; after it the caller gets its timeout and the operation
 *                      stays with the record (the next operation on it collects its completion)
 */
record IocpConfig(int pollers, int bufferSize, int postedAccepts, long cancelGraceNanos) {
    /** System property: the number of poller threads on the port. */
    static final String POLLERS_PROPERTY = "fiberio.iocp.pollers";
    /** System property: the data buffer size of a read or write record, in bytes. */
    static final String BUFFER_PROPERTY = "fiberio.iocp.bufferSize";
    /** System property: AcceptEx operations kept posted per listener. */
    static final String ACCEPTS_PROPERTY = "fiberio.iocp.postedAccepts";
    /** System property: milliseconds to wait for a cancelled operation's completion after its deadline. */
    static final String CANCEL_GRACE_PROPERTY = "fiberio.iocp.cancelGraceMillis";

    static final int DEFAULT_BUFFER = 16 * 1024;
    static final int DEFAULT_POSTED_ACCEPTS = 16;
    static final long DEFAULT_CANCEL_GRACE_MILLIS = 5_000;

    IocpConfig {
        if (pollers < 0 || bufferSize < 64 || postedAccepts < 1 || cancelGraceNanos <= 0) {
            throw new IllegalArgumentException("IOCP settings out of range: pollers " + pollers + ", buffer " + bufferSize
                    + ", posted accepts " + postedAccepts + ", cancel grace " + cancelGraceNanos + " ns");
        }
    }

    /** Test settings: {@code pollers} and {@code bufferSize}, the defaults otherwise. */
    static IocpConfig of(int pollers, int bufferSize) {
        return new IocpConfig(pollers, bufferSize, DEFAULT_POSTED_ACCEPTS,
                TimeUnit.MILLISECONDS.toNanos(DEFAULT_CANCEL_GRACE_MILLIS));
    }

    /**
     * From the system properties: {@value #POLLERS_PROPERTY} (default {@code min(2, processors)}, at least
     * 1), {@value #BUFFER_PROPERTY} (default 16 KiB, at least 64), {@value #ACCEPTS_PROPERTY} (default 16,
     * 1..256), {@value #CANCEL_GRACE_PROPERTY} (default 5000, at least 1).
     */
    static IocpConfig fromSystemProperties() {
        int pollers = Math.max(1, Integer.getInteger(POLLERS_PROPERTY, Math.min(2, Runtime.getRuntime().availableProcessors())));
        int buffer = Math.max(64, Integer.getInteger(BUFFER_PROPERTY, DEFAULT_BUFFER));
        int accepts = Math.clamp(Integer.getInteger(ACCEPTS_PROPERTY, DEFAULT_POSTED_ACCEPTS), 1, 256);
        long grace = Math.max(1, Long.getLong(CANCEL_GRACE_PROPERTY, DEFAULT_CANCEL_GRACE_MILLIS));
        return new IocpConfig(pollers, buffer, accepts, TimeUnit.MILLISECONDS.toNanos(grace));
    }

    IocpConfig withPostedAccepts(int n) {
        return new IocpConfig(pollers, bufferSize, n, cancelGraceNanos);
    }

    IocpConfig withCancelGraceNanos(long nanos) {
        return new IocpConfig(pollers, bufferSize, postedAccepts, nanos);
    }
}
