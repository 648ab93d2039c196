package dev.fiberio.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import dev.fiberio.core.spi.TimerHandle;
import dev.fiberio.core.spi.WaitSlot;

/**
 * One worker's timers: a binary min-heap of deadlines, each waking the wait of a {@link WaitSlot} it
 * belongs to with {@link WaitSlot#TIMED_OUT}.
 *
 * <h2>Implementation overview</h2>
 * The owning worker adds entries (in the post-switch hook of a timed wait) and expires them between
 * runs; <b>any idle worker may expire them too</b>, so a timer never waits for a worker that is busy
 * with a long run (Go's runtime does the same: idle Ps run other Ps' timers). The heap is therefore
 * guarded by {@code lock}, an owner-less CAS lock held only by worker code for a few heap operations,
 * never by fiber code and never across a suspension; the owner takes it spinning, a thief only with
 * {@link #tryExpire}. {@code earliest} publishes the top deadline (volatile) so that owners and thieves
 * look at the heap only when something may be due, and idle workers can sleep until the earliest
 * deadline of all workers.
 * Any thread may {@linkplain Entry#cancel() cancel} an entry (the waiter usually resumes on another
 * worker): cancellation is one CAS on the entry's {@code state}; cancelled entries are dropped when
 * they reach the top, and the heap is compacted when more than half of it is cancelled (looked at on
 * expiry and before the heap would grow), so memory stays within a small multiple of the live timers.
 * A timer that fires concurrently with its wait's end wakes nothing: {@link WaitSlot#timeout(long)}
 * checks the episode.
 */
final class TimerQueue {
    private static final VarHandle LOCK;
    private static final VarHandle EARLIEST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOCK = l.findVarHandle(TimerQueue.class, "lock", int.class);
            EARLIEST = l.findVarHandle(TimerQueue.class, "earliest", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Entry[] heap = new Entry[16];
    private int size;
    /** 0 free, 1 held: guards {@code heap} and {@code size}. */
    @SuppressWarnings("unused")
    private volatile int lock;
    /** Deadline of the heap's top (maybe a cancelled entry), or {@code Long.MAX_VALUE}; written under the lock. */
    @SuppressWarnings("unused")
    private volatile long earliest = Long.MAX_VALUE;
    /** Cancelled entries still in the heap, bumped by any thread with a non-atomic volatile
     *  increment (benign race: a lost increment only delays a compaction). */
    private volatile int cancelledHint;

    /** A scheduled deadline. */
    static final class Entry implements TimerHandle {
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
        /** The wait of {@link #slot} this timer belongs to; it wakes no other. */
        final long episode;
        private final TimerQueue owner;
        /** PENDING→FIRED (owner, CAS) or PENDING→CANCELLED (any thread, CAS). */
        @SuppressWarnings("unused")
        private volatile int state;

        Entry(long deadline, WaitSlot slot, long episode, TimerQueue owner) {
            this.deadline = deadline;
            this.slot = slot;
            this.episode = episode;
            this.owner = owner;
        }

        /** Cancels the timer from any thread; false if it already fired. */
        @Override
        public boolean cancel() {
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

    /** Adds a timer for the wait {@code episode} of {@code slot}; the owning worker only. */
    Entry schedule(long deadline, WaitSlot slot, long episode) {
        Entry e = new Entry(deadline, slot, episode, this);
        lock();
        try {
            if (size == heap.length) {
                compactIfMostlyCancelled(); // before growing: the room may be there already
                if (size == heap.length) {
                    heap = Arrays.copyOf(heap, size * 2);
                }
            }
            heap[size] = e;
            siftUp(size++);
            publishEarliest();
        } finally {
            unlock();
        }
        return e;
    }

    /** Whether any entry is in the heap (a volatile read; cancelled entries count until dropped). */
    boolean isEmpty() {
        return earliest() == Long.MAX_VALUE;
    }

    /** The published earliest deadline (maybe of a cancelled entry), or {@code Long.MAX_VALUE}. */
    long earliest() {
        return (long) EARLIEST.getVolatile(this);
    }

    /** The earliest live deadline, or {@code Long.MAX_VALUE} if none; drops cancelled entries on top. */
    long nextDeadline() {
        if (earliest() == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        lock();
        try {
            dropCancelledTop();
            publishEarliest();
            return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
        } finally {
            unlock();
        }
    }

    /**
     * Fires every entry whose deadline is at or before {@code now}; the owning worker (waits for the lock).
     *
     * @return the number of entries fired
     */
    int expire(long now) {
        if (earliest() - now > 0) {
            return 0;
        }
        lock();
        try {
            return expireLocked(now);
        } finally {
            unlock();
        }
    }

    /**
     * Like {@link #expire}, for an idle worker that is not the owner: gives up if the lock is taken
     * (the holder is expiring or adding, and will publish a new {@code earliest}).
     *
     * @return the number of entries fired
     */
    int tryExpire(long now) {
        if (earliest() - now > 0 || !LOCK.compareAndSet(this, 0, 1)) {
            return 0;
        }
        try {
            return expireLocked(now);
        } finally {
            unlock();
        }
    }

    private int expireLocked(long now) {
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
                top.slot.timeout(top.episode);
                fired++;
            }
        }
        compactIfMostlyCancelled();
        publishEarliest();
        return fired;
    }

    /**
     * Compacts when more than half of the heap (and more than 64 entries) is cancelled. Called where
     * entries are expired and where the heap would grow: a server's timeouts are mostly cancelled long
     * before they are due (a read that got its bytes), and with nothing due for the length of a timeout
     * expiry alone would never compact.
     */
    private void compactIfMostlyCancelled() {
        int hint = cancelledHint;
        if (hint > 64 && hint > size / 2) {
            compact();
        }
    }

    /** Number of entries in the heap, cancelled ones included. */
    int size() {
        lock();
        try {
            return size;
        } finally {
            unlock();
        }
    }

    private void publishEarliest() {
        EARLIEST.setVolatile(this, size == 0 ? Long.MAX_VALUE : heap[0].deadline);
    }

    private void lock() {
        while (!LOCK.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait(); // held for a few heap operations by another worker
        }
    }

    private void unlock() {
        LOCK.setRelease(this, 0);
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
