package dev.fiberio.core;

import dev.fiberio.core.spi.Poller;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link Poller} that the idle workers of one scheduler drive themselves, one at a time: a worker
 * with nothing to run takes it ({@link #tryAcquire}, one CAS) and blocks in {@code poll} instead of
 * parking, so the fibers its events resume land in that worker's own run queue, with no hand-off
 * between threads.
 *
 * <pre>
 * owner   meaning               moved by
 * false   free                  a worker: false→true (tryAcquire, CAS)
 * true    a worker is polling   that worker: true→false (release, release store)
 * </pre>
 */
final class AttachedPoller {
    private static final VarHandle OWNED;

    static {
        try {
            OWNED = MethodHandles.lookup().findVarHandle(AttachedPoller.class, "owned", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Poller poller;
    /** The index of the worker this poller belongs to, or -1 if any idle worker may drive it. */
    final int home;
    @SuppressWarnings("unused")
    private volatile boolean owned;

    AttachedPoller(Poller poller, int home) {
        this.poller = poller;
        this.home = home;
    }

    /** Takes the poller (one CAS); false if another worker has it. */
    boolean tryAcquire() {
        return !(boolean) OWNED.getOpaque(this) && OWNED.compareAndSet(this, false, true);
    }

    /** Gives the poller back. */
    void release() {
        OWNED.setRelease(this, false);
    }
}
