package dev.fiberio.uring;

import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.nativeio.ffi.LibC;
import java.lang.foreign.Arena;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The record of a listening socket's multishot accept (IORING_ACCEPT_MULTISHOT, Linux 5.19): one request
 * stays armed and posts a completion per connection. Completions with IORING_CQE_F_MORE are queued here
 * ({@link #more}) for the accepting callers; the last one (the request ended: cancelled, an error such as
 * EMFILE, or the kernel's choice) completes the record as usual, and the next accept re-arms it.
 *
 * <p>Bounded: when {@link #LIMIT} connections wait here the request is cancelled, so connections nobody
 * accepts stay in the kernel's backlog instead of piling up as descriptors of this process.
 *
 * <p>No descriptor leaks on close: the reaper queues, then reads CLOSED; the close sets CLOSED, then
 * drains (both with sequentially consistent atomics, so one of them sees the other), and every queued
 * descriptor is taken by exactly one {@code poll} and closed. The record's release action drains again
 * and closes an unconsumed final completion's descriptor.
 */
final class AcceptQueue extends MultishotRecord {
    /** Connections queued before the multishot request is cancelled ({@code fiberio.uring.acceptQueue}). */
    static final int LIMIT = Math.max(1, Integer.getInteger("fiberio.uring.acceptQueue", 64));

    private final ConcurrentLinkedQueue<Long> queued = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    /** The reaper asked to cancel the armed request because the queue is full; reset when it is re-armed. */
    private volatile boolean cancelRequested;
    private final IntConsumer closeFd;

    AcceptQueue() {
        this(LibC::close);
    }

    /** @param closeFd closes an accepted descriptor nobody will take (tests count the calls) */
    AcceptQueue(IntConsumer closeFd) {
        // Owner: the record (automatic arena); a multishot accept passes no address, the kernel writes nothing here.
        super(Arena.ofAuto().allocate(8, 8));
        this.closeFd = closeFd;
    }

    @Override
    void more(int error, int value, int flags) {
        queued.offer(pack(error, value));
        int n = size.incrementAndGet();
        if ((stateVolatile() & CLOSED) != 0) {
            closeQueued(); // the socket closed meanwhile: nobody will accept it
        } else if (n >= LIMIT && !cancelRequested && context() instanceof Ring r) {
            cancelRequested = true;
            r.cancel(this);
        }
        slot().signal();
    }

    /** The next queued completion as {@code error << 32 | value}, or null. */
    Long poll() {
        Long c = queued.poll();
        if (c != null) {
            size.decrementAndGet();
        }
        return c;
    }

    /** Before the request is (re-)armed. */
    void armed() {
        cancelRequested = false;
    }

    /** Connections waiting to be accepted (tests, diagnostics). */
    int queuedCount() {
        return size.get();
    }

    /** Closes every queued connection. */
    void closeQueued() {
        for (Long c; (c = poll()) != null; ) {
            if (error(c) == 0) {
                closeFd.accept(value(c));
            }
        }
    }

    /** Release action: the queued connections and an unconsumed final one are closed. */
    static void closeUnclaimed(OperationRecord r) {
        AcceptQueue q = (AcceptQueue) r;
        if (q.hasResult()) {
            Completion c = q.consume();
            if (c.succeeded()) {
                q.closeFd.accept(c.value());
            }
        }
        q.closeQueued();
    }

    static long pack(int error, int value) {
        return ((long) error << 32) | (value & 0xFFFF_FFFFL);
    }

    static int error(long packed) {
        return (int) (packed >>> 32);
    }

    static int value(long packed) {
        return (int) packed;
    }
}
