package dev.fiberio.uring;

import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.uring.ffi.NativeHeap;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The native buffers of one {@link Ring}'s operations: a send, a vectored write's iovecs, a connect's
 * address, a receive that found the provided-buffer ring empty. A socket leases one when such an
 * operation starts and gives it back when the kernel is done with it and the socket has consumed what it
 * holds (see {@link UringSocket}), so an idle connection holds none.
 *
 * <h2>Why one pool per ring</h2>
 * A ring is driven by one worker, and the sockets of a ring are served by that worker's fibers, so
 * leases and returns mostly stay on one core; a pool per group would be shared by every worker. And the
 * ring's close is the moment its kernel is known to be done (it reaps until nothing is in flight), so
 * that is when its pool is freed.
 *
 * <h2>What the pool guarantees, and what it relies on</h2>
 * The pool hands a buffer to one lessee at a time; the lessee returns it only after the kernel completed
 * every request that named it (the completion reaped: {@link dev.fiberio.nativeio.completion.OperationRecord}'s
 * ownership word has no KERNEL bit). The buffer is not the record: completions and cancellations name the
 * socket's own record by its token, never the buffer, so a late completion or cancellation of the previous
 * lessee reaches the previous lessee's record (whose token's generation already tells it apart), never
 * the next lessee of the buffer.
 *
 * <h2>Bound and memory</h2>
 * At most {@code maxIdle} free buffers are kept ({@code fiberio.uring.poolMax}, default 64 per ring: 1 MiB
 * of 16 KiB buffers); a buffer given back to a full pool is freed, and a lease from an empty pool
 * allocates. Buffers come from {@code malloc} (not zeroed: a page is resident only once written) and go
 * back with {@code free}: by the pool when it is full or closed. {@link #close()} (at the ring's close)
 * frees the free buffers; a buffer leased then is freed when it comes back. A buffer whose operation the
 * kernel never completed is never given back, so never freed (its ring keeps the record, see
 * {@link Ring#close()}).
 *
 * <h2>Threads</h2>
 * Any thread leases and gives back (fibers migrate, the reaper gives back the buffer of a closed socket's
 * last operation, plain threads use sockets too). The free buffers are a bounded multi-producer,
 * multi-consumer array queue (a sequence number per cell, D. Vyukov's scheme): no lock, no allocation per
 * lease or return, and no ABA (a cell's sequence only grows). The sequence of the cell of position
 * {@code p} is {@code 2p} while it is free for the returner of {@code p}, {@code 2p + 1} while it holds
 * that buffer, and {@code 2(p + maxIdle)} once the buffer was taken: doubled so that "holds the buffer of
 * p" and "free for the returner of p + maxIdle" differ even when {@code maxIdle} is 1. Nobody waits for
 * anybody: a lessee that finds the next cell still being written treats the pool as empty and allocates,
 * a returner that finds it still being read treats it as full and frees.
 */
final class BufferPool {
    /** Free buffers kept per ring. */
    static final int MAX_IDLE = Integer.getInteger("fiberio.uring.poolMax", 64);
    /** Buffers allocated by every pool and not freed yet (tests: a closed pool frees its own). */
    static final AtomicLong LIVE = new AtomicLong();

    /** Where the buffers come from and go back to (libc's heap, or a test's). */
    interface Memory {
        /** Allocates {@code size} bytes, or returns {@link MemorySegment#NULL}. */
        MemorySegment allocate(long size);

        /** Frees what {@link #allocate} returned. */
        void free(MemorySegment m);
    }

    private static final Memory LIBC = new Memory() {
        @Override
        public MemorySegment allocate(long size) {
            return NativeHeap.allocate(size);
        }

        @Override
        public void free(MemorySegment m) {
            NativeHeap.free(m);
        }
    };

    private final long bufferSize;
    private final int maxIdle;
    private final Memory memory;
    /** The free buffers: cell {@code pos % maxIdle}; written before, cleared before, its sequence's store. */
    private final MemorySegment[] cells;
    /** Per cell: {@code 2 pos} free for the returner of pos, {@code 2 pos + 1} holding its buffer (see the class comment). */
    private final AtomicLongArray sequences;
    private final AtomicLong enqueuePos = new AtomicLong();
    private final AtomicLong dequeuePos = new AtomicLong();
    private final AtomicLong leases = new AtomicLong();
    private final AtomicLong returns = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong frees = new AtomicLong();
    private volatile boolean closed;

    /**
     * A pool of {@code bufferSize}-byte buffers from libc's heap.
     *
     * @param bufferSize each buffer's size
     * @param maxIdle    free buffers kept (0: every returned buffer is freed)
     */
    BufferPool(long bufferSize, int maxIdle) {
        this(bufferSize, maxIdle, LIBC);
    }

    /**
     * A pool of {@code bufferSize}-byte buffers from {@code memory}.
     *
     * @throws IllegalArgumentException if {@code bufferSize} is not positive or {@code maxIdle} negative
     */
    BufferPool(long bufferSize, int maxIdle, Memory memory) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("buffer size must be positive: " + bufferSize);
        }
        if (maxIdle < 0) {
            throw new IllegalArgumentException("fiberio.uring.poolMax must not be negative: " + maxIdle);
        }
        this.bufferSize = bufferSize;
        this.maxIdle = maxIdle;
        this.memory = memory;
        cells = new MemorySegment[maxIdle];
        sequences = new AtomicLongArray(maxIdle);
        for (int i = 0; i < maxIdle; i++) {
            sequences.set(i, 2L * i);
        }
    }

    /**
     * A buffer of {@link #bufferSize()} bytes for one lessee, free or newly allocated; its content is
     * undefined.
     *
     * @return the buffer, the caller's until {@link #giveBack}
     * @throws IOException "Cannot allocate memory" if the heap has none
     */
    MemorySegment lease() throws IOException {
        MemorySegment m = poll();
        if (m == null) {
            m = memory.allocate(bufferSize);
            if (m.isNative() && m.address() == 0) {
                throw Errno.toException("malloc", Errno.ENOMEM);
            }
            allocations.incrementAndGet();
            LIVE.incrementAndGet();
        }
        leases.incrementAndGet();
        return m;
    }

    /**
     * Takes a leased buffer back: kept if the pool has room and is open, else freed. Only once per lease,
     * and only when no request the kernel has not completed names it.
     *
     * @param m a buffer {@link #lease} returned
     * @throws IllegalArgumentException if {@code m} is not one of this pool's sizes
     */
    void giveBack(MemorySegment m) {
        if (m.byteSize() != bufferSize) {
            throw new IllegalArgumentException("not a buffer of this pool: " + m);
        }
        returns.incrementAndGet();
        if (!closed && offer(m)) {
            // The offer's sequence store, then the read of closed; close() writes closed, then drains: one of
            // the two sees the other (volatile accesses), so nothing stays in a closed pool.
            if (closed) {
                drain();
            }
            return;
        }
        free(m);
    }

    /** Frees the free buffers; buffers given back from now on are freed at once. Idempotent. */
    void close() {
        closed = true;
        drain();
    }

    /** The size of every buffer. */
    long bufferSize() {
        return bufferSize;
    }

    /** Free buffers kept at most. */
    int maxIdle() {
        return maxIdle;
    }

    /** Buffers leased and not given back (exact when no lease or return is under way). */
    long leased() {
        return leases.get() - returns.get();
    }

    /** Leases made so far. */
    long leases() {
        return leases.get();
    }

    /** Free buffers held (exact when no lease or return is under way). */
    int idle() {
        return (int) Math.max(0, enqueuePos.get() - dequeuePos.get());
    }

    /** Buffers this pool allocated. */
    long allocations() {
        return allocations.get();
    }

    /** Buffers this pool freed. */
    long frees() {
        return frees.get();
    }

    /** Whether {@link #close()} ran. */
    boolean isClosed() {
        return closed;
    }

    private void drain() {
        for (MemorySegment m = poll(); m != null; m = poll()) {
            free(m);
        }
    }

    private void free(MemorySegment m) {
        memory.free(m);
        frees.incrementAndGet();
        LIVE.decrementAndGet();
    }

    /** Adds a free buffer; false if the pool is full. */
    private boolean offer(MemorySegment m) {
        if (maxIdle == 0) {
            return false;
        }
        long pos = enqueuePos.get();
        for (;;) {
            int cell = (int) (pos % maxIdle);
            long dif = sequences.get(cell) - 2 * pos;
            if (dif == 0) {
                if (enqueuePos.compareAndSet(pos, pos + 1)) {
                    cells[cell] = m;
                    sequences.set(cell, 2 * pos + 1); // publishes the cell to the lessee of pos
                    return true;
                }
                pos = enqueuePos.get();
            } else if (dif < 0) {
                return false; // the cell still holds the buffer of pos - maxIdle (or it is being taken): full
            } else {
                pos = enqueuePos.get(); // another returner took pos
            }
        }
    }

    /** Takes a free buffer, or null if there is none. */
    private MemorySegment poll() {
        if (maxIdle == 0) {
            return null;
        }
        long pos = dequeuePos.get();
        for (;;) {
            int cell = (int) (pos % maxIdle);
            long dif = sequences.get(cell) - (2 * pos + 1);
            if (dif == 0) {
                if (dequeuePos.compareAndSet(pos, pos + 1)) {
                    MemorySegment m = cells[cell];
                    cells[cell] = null;
                    sequences.set(cell, 2 * (pos + maxIdle)); // free for the returner of pos + maxIdle
                    return m;
                }
                pos = dequeuePos.get();
            } else if (dif < 0) {
                return null; // nothing written at pos yet (or it is being written): empty
            } else {
                pos = dequeuePos.get(); // another lessee took pos
            }
        }
    }

    @Override
    public String toString() {
        return "BufferPool[" + bufferSize + " bytes, leased=" + leased() + ", idle=" + idle() + "/" + maxIdle
                + (closed ? ", closed" : "") + "]";
    }
}
