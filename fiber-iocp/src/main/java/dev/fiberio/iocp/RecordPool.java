package dev.fiberio.iocp;

import dev.fiberio.core.spi.WaitSlot;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Hands out {@link OverlappedRecord}s and takes them back once released, keeping up to
 * {@code maxIdle} data records for reuse (allocating and zeroing a buffer per socket would
 * otherwise dominate short connections).
 *
 * <p>A record is <em>live</em> from {@link #take} until the release its ownership rule decides (see
 * {@link dev.fiberio.nativeio.completion.OperationRecord}); {@link #live()} counts them, so tests can observe that the memory of
 * an aborted operation is given back only after its completion was dequeued. A pooled record may
 * be handed to another socket: a completion meant for its previous owner can then carry its
 * address, which is why completions are routed by the owner's token first (see
 * {@link CompletionDispatcher}).
 *
 * <p>Threads: any thread takes and releases; the idle queue is lock-free, the counters atomic.
 */
final class RecordPool {
    private final int capacity;
    private final int maxIdle;
    private final ConcurrentLinkedQueue<OverlappedRecord> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicLong live = new AtomicLong();

    /**
     * @param capacity the data buffer size of pooled records
     * @param maxIdle  how many released data records are kept for reuse
     */
    RecordPool(int capacity, int maxIdle) {
        this.capacity = capacity;
        this.maxIdle = maxIdle;
    }

    /** The data buffer size of the records {@link #take} returns. */
    int capacity() {
        return capacity;
    }

    /**
     * A data record (pooled or new), attached to its new owner.
     *
     * @param slot      the slot its completions wake
     * @param onRelease runs once when the record is released, before it returns to the pool
     * @return the record, live until released
     */
    OverlappedRecord take(WaitSlot slot, Consumer<OverlappedRecord> onRelease) {
        OverlappedRecord r = idle.poll();
        if (r != null) {
            idleCount.decrementAndGet();
        } else {
            r = new OverlappedRecord(capacity);
        }
        return attach(r, slot, onRelease);
    }

    /**
     * A record with a small buffer of its own size (an accept record), never pooled.
     *
     * @param bufferSize its data buffer size
     * @param slot       the slot its completions wake
     * @param onRelease  runs once when the record is released
     * @return the record, live until released
     */
    OverlappedRecord takeUnpooled(int bufferSize, WaitSlot slot, Consumer<OverlappedRecord> onRelease) {
        return attach(new OverlappedRecord(bufferSize), slot, onRelease);
    }

    /** Records taken and not released yet. */
    long live() {
        return live.get();
    }

    /** Released records kept for reuse. */
    int idle() {
        return idleCount.get();
    }

    private OverlappedRecord attach(OverlappedRecord r, WaitSlot slot, Consumer<OverlappedRecord> onRelease) {
        live.incrementAndGet();
        // Token 0: a completion finds its record by its socket's key and the OVERLAPPED address, not by a
        // token of the record (see CompletionDispatcher).
        r.attach(slot, 0, released -> {
            try {
                onRelease.accept(r);
            } finally {
                giveBack(r);
            }
        });
        return r;
    }

    private void giveBack(OverlappedRecord r) {
        live.decrementAndGet();
        if (r.capacity() == capacity && idleCount.incrementAndGet() <= maxIdle) {
            idle.offer(r);
        } else if (r.capacity() == capacity) {
            idleCount.decrementAndGet(); // pool full: dropped, the GC frees its memory
        }
    }
}
