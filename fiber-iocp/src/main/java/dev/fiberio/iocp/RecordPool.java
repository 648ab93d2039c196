package dev.fiberio.iocp;

import dev.fiberio.core.spi.WaitSlot;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Hands out {@link OperationRecord}s and takes them back once released, keeping up to
 * {@code maxIdle} data records for reuse (allocating and zeroing a buffer per socket would
 * otherwise dominate short connections).
 *
 * <p>A record is <em>live</em> from {@link #take} until the release its ownership rule decides (see
 * {@link OperationRecord}); {@link #live()} counts them, so tests can observe that the memory of
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
    private final ConcurrentLinkedQueue<OperationRecord> idle = new ConcurrentLinkedQueue<>();
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
    OperationRecord take(WaitSlot slot, Consumer<OperationRecord> onRelease) {
        OperationRecord r = idle.poll();
        if (r != null) {
            idleCount.decrementAndGet();
        } else {
            r = new OperationRecord(capacity);
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
    OperationRecord takeUnpooled(int bufferSize, WaitSlot slot, Consumer<OperationRecord> onRelease) {
        return attach(new OperationRecord(bufferSize), slot, onRelease);
    }

    /** Records taken and not released yet. */
    long live() {
        return live.get();
    }

    /** Released records kept for reuse. */
    int idle() {
        return idleCount.get();
    }

    private OperationRecord attach(OperationRecord r, WaitSlot slot, Consumer<OperationRecord> onRelease) {
        live.incrementAndGet();
        r.attach(slot, released -> {
            try {
                onRelease.accept(released);
            } finally {
                giveBack(released);
            }
        });
        return r;
    }

    private void giveBack(OperationRecord r) {
        live.decrementAndGet();
        if (r.capacity() == capacity && idleCount.incrementAndGet() <= maxIdle) {
            idle.offer(r);
        } else if (r.capacity() == capacity) {
            idleCount.decrementAndGet(); // pool full: dropped, the GC frees its memory
        }
    }
}
