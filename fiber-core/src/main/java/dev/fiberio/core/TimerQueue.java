package dev.fiberio.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One worker's timers: a binary min-heap of deadlines, each waking a {@link WaitSlot} with
 * {@link WaitSlot#TIMED_OUT}.
 *
 * <h2>Implementation overview</h2>
 * Only the owning worker thread adds, expires and removes entries, so the heap needs no lock.
 * Any thread may {@linkplain Entry#cancel() cancel} an entry (the waiter usually resumes on another
 * worker): cancellation is one CAS on the entry's {@code state}; the owner drops cancelled entries
 * when they reach the top, and compacts the heap when more than half of it is cancelled, so memory
 * stays bounded by twice the live timers. A timer that fires concurrently with its cancellation
 * produces at most one spurious wake-up, which {@link WaitSlot} waiters tolerate by design.
 */
final class TimerQueue {
    private Entry[] heap = new Entry[16];
    private int size;
    /** Cancelled entries still in the heap, bumped by any thread with a non-atomic volatile
     *  increment (benign race: a lost increment only delays a compaction). */
    private volatile int cancelledHint;

    /** A scheduled deadline. */
    static final class Entry {
        private static final int PENDING = 0;
        private static final int FIRED = 1;
        private static final int CANCELLED = 2;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Entry.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long deadline;
        final WaitSlot slot;
        private final TimerQueue owner;
        /** PENDING→FIRED (owner, CAS) or PENDING→CANCELLED (any thread, CAS). */
        @SuppressWarnings("unused")
        private volatile int state;

        Entry(long deadline, WaitSlot slot, TimerQueue owner) {
            this.deadline = deadline;
            this.slot = slot;
            this.owner = owner;
        }

        /** Cancels the timer from any thread; false if it already fired. */
        boolean cancel() {
            if (STATE.compareAndSet(this, PENDING, CANCELLED)) {
                owner.cancelledHint = owner.cancelledHint + 1;
                return true;
            }
            return false;
        }

        private boolean claimFire() {
            return STATE.compareAndSet(this, PENDING, FIRED);
        }

        private boolean isCancelled() {
            return (int) STATE.getOpaque(this) == CANCELLED;
        }
    }

    /** Owner only. */
    Entry schedule(long deadline, WaitSlot slot) {
        Entry e = new Entry(deadline, slot, this);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = e;
        siftUp(size++);
        return e;
    }

    /** Owner only: whether any entry is in the heap. */
    boolean isEmpty() {
        return size == 0;
    }

    /** Owner only: the earliest deadline, or {@code Long.MAX_VALUE} if none. */
    long nextDeadline() {
        dropCancelledTop();
        return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    /**
     * Owner only: fires every entry whose deadline is at or before {@code now}.
     *
     * @return the number of entries fired
     */
    int expire(long now) {
        int fired = 0;
        while (size > 0) {
            Entry top = heap[0];
            if (top.isCancelled()) {
                removeTop();
                continue;
            }
            if (top.deadline - now > 0) {
                break;
            }
            removeTop();
            if (top.claimFire()) {
                top.slot.interrupt(WaitSlot.TIMED_OUT);
                fired++;
            }
        }
        int hint = cancelledHint;
        if (hint > 64 && hint > size / 2) {
            compact();
        }
        return fired;
    }

    /** Owner only: number of entries in the heap, cancelled ones included. */
    int size() {
        return size;
    }

    private void dropCancelledTop() {
        while (size > 0 && heap[0].isCancelled()) {
            removeTop();
        }
    }

    private void removeTop() {
        Entry top = heap[0];
        Entry last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            heap[0] = last;
            siftDown(0);
        }
    }

    private void compact() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            Entry e = heap[i];
            if (!e.isCancelled()) {
                heap[n++] = e;
            }
        }
        Arrays.fill(heap, n, size, null);
        size = n;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i);
        }
        cancelledHint = 0;
    }

    private void siftUp(int i) {
        Entry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = heap[parent];
            if (e.deadline - p.deadline >= 0) {
                break;
            }
            heap[i] = p;
            i = parent;
        }
        heap[i] = e;
    }

    private void siftDown(int i) {
        Entry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Entry c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].deadline - c.deadline < 0) {
                child = right;
                c = heap[child];
            }
            if (e.deadline - c.deadline <= 0) {
                break;
            }
            heap[i] = c;
            i = child;
        }
        heap[i] = e;
    }
}
