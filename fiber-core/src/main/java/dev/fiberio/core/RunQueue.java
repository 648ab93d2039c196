package dev.fiberio.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded multi-producer multi-consumer queue of fibers: a worker's run queue. Any thread offers
 * (resumes, spawns); the owning worker polls; idle workers steal by polling. When it is full, the
 * scheduler puts the fiber on its shared overflow queue instead.
 *
 * <h2>Implementation overview</h2>
 * Dmitry Vyukov's bounded MPMC array queue, written on VarHandles (no {@code sun.misc.Unsafe}). Each
 * cell has a sequence number: a producer that reads {@code seq == pos} for its position owns the cell
 * once it wins the CAS on {@code enqueuePos}; it stores the fiber (plain) and then publishes
 * {@code seq = pos + 1} (release). A consumer that reads {@code seq == pos + 1} (acquire) owns the cell
 * once it wins the CAS on {@code dequeuePos}; it takes the fiber and frees the cell for the next lap
 * with {@code seq = pos + capacity} (release). The positions are padded apart so producers and
 * consumers do not share a cache line.
 *
 * <pre>
 * cell seq     meaning                         moved by
 * pos          free for the producer at pos    producer: CAS enqueuePos, store, seq = pos + 1 (release)
 * pos + 1      full, for the consumer at pos   consumer: CAS dequeuePos, take, seq = pos + capacity (release)
 * </pre>
 * {@link #poll()} may return null while a producer that won its CAS has not yet published; callers
 * that must not miss that fiber check {@link #isEmpty()}, which counts it (the worker's park check).
 */
final class RunQueue extends RunQueueDequeuePos {
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(Fiber[].class);

    private final long[] sequences;
    private final Fiber[] cells;
    private final int mask;

    /**
     * Creates an empty queue.
     *
     * @param capacity a power of two
     */
    RunQueue(int capacity) {
        if (Integer.bitCount(capacity) != 1 || capacity < 2) {
            throw new IllegalArgumentException("capacity must be a power of two >= 2: " + capacity);
        }
        sequences = new long[capacity];
        cells = new Fiber[capacity];
        mask = capacity - 1;
        for (int i = 0; i < capacity; i++) {
            sequences[i] = i;
        }
    }

    /** Adds {@code f}; false if the queue is full. */
    boolean offer(Fiber f) {
        long pos = enqueuePosVolatile();
        for (;;) {
            int index = (int) pos & mask;
            long seq = (long) SEQ.getAcquire(sequences, index);
            long dif = seq - pos;
            if (dif == 0) {
                if (casEnqueuePos(pos, pos + 1)) {
                    CELL.set(cells, index, f);
                    SEQ.setRelease(sequences, index, pos + 1);
                    return true;
                }
                pos = enqueuePosVolatile();
            } else if (dif < 0) {
                return false; // full: the cell still holds the fiber of the previous lap
            } else {
                pos = enqueuePosVolatile(); // another producer took this position
            }
        }
    }

    /** Removes and returns the oldest fiber, or null if none is ready to be taken. */
    Fiber poll() {
        long pos = dequeuePosVolatile();
        for (;;) {
            int index = (int) pos & mask;
            long seq = (long) SEQ.getAcquire(sequences, index);
            long dif = seq - (pos + 1);
            if (dif == 0) {
                if (casDequeuePos(pos, pos + 1)) {
                    Fiber f = (Fiber) CELL.get(cells, index);
                    CELL.set(cells, index, (Fiber) null);
                    SEQ.setRelease(sequences, index, pos + mask + 1);
                    return f;
                }
                pos = dequeuePosVolatile();
            } else if (dif < 0) {
                return null; // empty, or the producer of this cell has not published yet
            } else {
                pos = dequeuePosVolatile(); // another consumer took this position
            }
        }
    }

    /** True if no fiber is queued or being queued (volatile reads of both positions). */
    boolean isEmpty() {
        return dequeuePosVolatile() == enqueuePosVolatile();
    }

    /** Approximate number of queued fibers. */
    int size() {
        long d = dequeuePosVolatile();
        long e = enqueuePosVolatile();
        return (int) Math.max(0, Math.min(e - d, mask + 1));
    }
}

/** Padding, then the producers' position, then padding: keeps it on a cache line of its own. */
@SuppressWarnings("unused")
abstract class RunQueuePad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

/** The producers' position ({@code enqueuePos}). */
abstract class RunQueueEnqueuePos extends RunQueuePad0 {
    private static final VarHandle ENQUEUE_POS;

    static {
        try {
            ENQUEUE_POS = MethodHandles.lookup().findVarHandle(RunQueueEnqueuePos.class, "enqueuePos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private volatile long enqueuePos;

    final long enqueuePosVolatile() {
        return enqueuePos;
    }

    final boolean casEnqueuePos(long expect, long update) {
        return ENQUEUE_POS.compareAndSet(this, expect, update);
    }
}

/** Padding between the two positions. */
@SuppressWarnings("unused")
abstract class RunQueuePad1 extends RunQueueEnqueuePos {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

/** The consumers' position ({@code dequeuePos}). */
abstract class RunQueueDequeuePos extends RunQueuePad1 {
    private static final VarHandle DEQUEUE_POS;

    static {
        try {
            DEQUEUE_POS = MethodHandles.lookup().findVarHandle(RunQueueDequeuePos.class, "dequeuePos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private volatile long dequeuePos;

    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07;
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16;

    final long dequeuePosVolatile() {
        return dequeuePos;
    }

    final boolean casDequeuePos(long expect, long update) {
        return DEQUEUE_POS.compareAndSet(this, expect, update);
    }
}
