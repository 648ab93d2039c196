package dev.fiberio.iocp.win32;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory completion port of {@link FakeWin32}: a FIFO of packets that any number of threads
 * dequeue from at once, releasing blocked threads in LIFO order as Windows does.
 *
 * <p>Implementation overview: {@link #lock} guards the queue, the closed flag and the waiter count;
 * {@link #changed} is signalled on every enqueue and on close. Dequeuers are the threads calling
 * GetQueuedCompletionStatusEx; enqueuers are any thread completing I/O or posting. The lock is the
 * last one taken on any path ({@link FakeWin32}'s state lock and a {@link CompletionHold}'s lock may
 * be held when enqueueing), so it cannot deadlock. Enqueue happens-before the dequeue that takes the
 * packet, which orders the kernel-role writes into OVERLAPPED and buffers before the dequeuer reads them.
 */
final class FakeCompletionPort {

    /** Result of {@link #take}: the packets, or why there are none. */
    record Taken(List<FakeCompletion> packets, boolean closed) {
    }

    private final long handle;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<FakeCompletion> queue = new ArrayDeque<>();
    /** The threads blocked in {@link #take}, the most recent first: packets release them in LIFO order. */
    private final ArrayDeque<Object> blocked = new ArrayDeque<>();
    private boolean closed;
    private int waiters;

    FakeCompletionPort(long handle) {
        this.handle = handle;
    }

    long handle() {
        return handle;
    }

    /** Queues a packet; dropped if the port is closed (the kernel drops them too). */
    void enqueue(FakeCompletion packet) {
        lock.lock();
        try {
            if (!closed) {
                queue.addLast(packet);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes up to {@code max} packets, waiting until at least one is there, the timeout passes
     * (negative = forever) or the port is closed. Not interruptible, like the real call; an
     * interrupt is kept for the caller.
     *
     * @return the packets (empty on timeout), with {@code closed} set if the port was closed while waiting
     */
    Taken take(int max, long timeoutMillis) {
        boolean interrupted = false;
        lock.lock();
        try {
            long remaining = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            Object self = new Object();
            waiters++;
            if (queue.isEmpty()) {
                blocked.addFirst(self); // a caller that finds packets queued takes them without blocking
            }
            changed.signalAll();
            try {
                // "threads that block on a completion port are released in last-in-first-out (LIFO) order"
                // (I/O Completion Ports): only the most recent blocked thread may take a new packet.
                while ((queue.isEmpty() || (!blocked.isEmpty() && blocked.peekFirst() != self && blocked.contains(self)))
                        && !closed && (timeoutMillis < 0 || remaining > 0)) {
                    try {
                        if (timeoutMillis < 0) {
                            changed.await();
                        } else {
                            remaining = changed.awaitNanos(remaining);
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                waiters--;
                blocked.remove(self);
                changed.signalAll(); // the next most recent waiter may take what is left
            }
            if (queue.isEmpty()) {
                return new Taken(List.of(), closed);
            }
            List<FakeCompletion> taken = new ArrayList<>(Math.min(max, queue.size()));
            while (taken.size() < max && !queue.isEmpty()) {
                taken.add(queue.pollFirst());
            }
            return new Taken(taken, false);
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the port: queued packets are dropped and every waiter returns. */
    void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until at least {@code count} threads wait in {@link #take}, or fails after {@code timeoutMillis}. */
    void awaitWaiters(int count, long timeoutMillis) {
        lock.lock();
        try {
            long remaining = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (waiters < count) {
                if (remaining <= 0) {
                    throw new AssertionError("only " + waiters + " of " + count + " threads waiting on port " + handle);
                }
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            lock.unlock();
        }
    }
}
