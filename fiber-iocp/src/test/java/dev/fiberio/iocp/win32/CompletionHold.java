package dev.fiberio.iocp.win32;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A test hook of {@link FakeWin32}: completion packets matching a filter are held back instead of
 * being queued to their port, until the test releases them, in any order, from any thread.
 *
 * <p>The I/O itself is already complete when its packet is held (OVERLAPPED and buffers are
 * written), exactly like a packet the kernel queued but no thread has dequeued yet; holding only
 * delays delivery. Obtain one with {@link FakeWin32#holdCompletions}; {@link #close()} stops holding
 * and releases what is left.
 *
 * <p>Implementation overview: {@link #lock} guards {@link #held} and {@link #closed}. Completing
 * threads call {@link #offer}; the test thread(s) call the rest. Releasing hands packets to the
 * port outside the lock.
 */
public final class CompletionHold implements AutoCloseable {

    private final Predicate<FakeCompletion> filter;
    private final Consumer<FakeCompletion> deliver;
    private final Runnable onClose;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private final List<FakeCompletion> held = new ArrayList<>();
    private boolean closed;

    CompletionHold(Predicate<FakeCompletion> filter, Consumer<FakeCompletion> deliver, Runnable onClose) {
        this.filter = filter;
        this.deliver = deliver;
        this.onClose = onClose;
    }

    /** Holds the packet if it matches and this hold is open; false means "deliver it normally". */
    boolean offer(FakeCompletion packet) {
        lock.lock();
        try {
            if (closed || !filter.test(packet)) {
                return false;
            }
            held.add(packet);
            added.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least {@code count} packets are held. The timeout only turns a hang into a
     * failure; it never decides an outcome.
     *
     * @param count packets to wait for
     * @return a snapshot of the held packets, in the order they were completed
     */
    public List<FakeCompletion> awaitHeld(int count) {
        lock.lock();
        try {
            long remaining = TimeUnit.SECONDS.toNanos(10);
            while (held.size() < count) {
                if (remaining <= 0) {
                    throw new AssertionError("only " + held.size() + " of " + count + " completions were held");
                }
                remaining = added.awaitNanos(remaining);
            }
            return List.copyOf(held);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A snapshot of the held packets.
     *
     * @return the packets held now, in completion order
     */
    public List<FakeCompletion> held() {
        lock.lock();
        try {
            return List.copyOf(held);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues one held packet to its port now.
     *
     * @param packet a packet from {@link #held()}
     * @throws IllegalArgumentException if it is not held (any more)
     */
    public void release(FakeCompletion packet) {
        lock.lock();
        try {
            if (!held.remove(packet)) {
                throw new IllegalArgumentException("not held: " + packet);
            }
        } finally {
            lock.unlock();
        }
        deliver.accept(packet);
    }

    /** Queues every held packet, in completion order. */
    public void releaseAll() {
        List<FakeCompletion> all;
        lock.lock();
        try {
            all = List.copyOf(held);
            held.clear();
        } finally {
            lock.unlock();
        }
        all.forEach(deliver);
    }

    /** Stops holding new packets and releases the held ones. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        onClose.run();
        releaseAll();
    }
}
