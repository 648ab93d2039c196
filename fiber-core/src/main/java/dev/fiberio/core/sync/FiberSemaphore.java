package dev.fiberio.core.sync;

import java.time.Duration;

/**
 * A counting semaphore for fibers and threads, strictly first come, first served: a request waits
 * until the permits it asks for are available <em>and</em> every earlier request has been served. A
 * large request at the head of the queue therefore holds back smaller ones behind it (no barging,
 * not even by {@link #tryAcquire(int)}), so a large request is never starved.
 *
 * <p>A waiting fiber suspends; a waiting thread parks. {@link #acquire(int)} throws
 * {@link dev.fiberio.core.FiberCancelledException} if the caller is cancelled (interrupted) while
 * waiting; {@link #tryAcquire(int, Duration)} returns false when the time runs out. Permits granted in
 * the same moment as the waiter is cancelled or times out are kept by the waiter, which then returns
 * successfully. A waiter that gives up lets the requests behind it proceed if the permits now suffice.
 * Permits are not owned: any fiber or thread may release them.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code guard} (a {@link Guard}, never held across a suspension) protects
 *       {@code permits} (writes), {@code queue} and the waiters' nodes. {@code permits} is volatile only
 *       so that {@link #availablePermits()} can read it without the guard.</li>
 *   <li>Invariant under the guard: the head of {@code queue}, if any, asks for more than
 *       {@code permits}. Every change that could break it (a release, a waiter leaving) runs
 *       {@code grantWaiters}, which serves queued requests in order while they fit, completes their
 *       nodes, and returns them as a chain that the caller wakes after releasing the guard.</li>
 *   <li>Each waiter owns its {@link WaitNode}: it enqueues it, waits on it outside the guard, and
 *       withdraws it on timeout or cancellation unless {@code grantWaiters} completed it first.</li>
 * </ul>
 */
public final class FiberSemaphore {
    private final Guard guard = new Guard();
    private final WaitQueue queue = new WaitQueue(guard);
    private final WaitNode.Withdrawal withdrawal = this::withdraw;
    /** Available permits; written under the guard. */
    private volatile int permits;

    /**
     * Creates a semaphore.
     *
     * @param permits the initial number of permits
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public FiberSemaphore(int permits) {
        this.permits = WaitSupport.requireNonNegative(permits, "permits");
    }

    /**
     * Acquires one permit, waiting as long as it takes.
     *
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled while waiting
     */
    public void acquire() {
        acquire(1);
    }

    /**
     * Acquires {@code n} permits at once, waiting as long as it takes (in FIFO order).
     *
     * @param n the number of permits
     * @throws IllegalArgumentException                 if {@code n} is negative
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled while waiting; no
     *                                                  permit is then taken
     */
    public void acquire(int n) {
        if (acquireInternal(n, false, 0L) != WaitNode.GRANTED) {
            throw WaitSupport.cancelled("acquiring " + n + " permits of " + this);
        }
    }

    /**
     * Acquires {@code n} permits if they are available now and nobody is waiting ahead.
     *
     * @param n the number of permits
     * @return true if acquired
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public boolean tryAcquire(int n) {
        WaitSupport.requireNonNegative(n, "permits");
        guard.lock();
        try {
            return takeIfNobodyWaits(n);
        } finally {
            guard.unlock();
        }
    }

    /**
     * Acquires {@code n} permits, waiting at most {@code timeout}.
     *
     * @param n       the number of permits
     * @param timeout the longest wait; zero or negative means do not wait
     * @return true if acquired, false if the time ran out (no permit is then taken)
     * @throws IllegalArgumentException                 if {@code n} is negative
     * @throws NullPointerException                     if {@code timeout} is null
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled while waiting
     */
    public boolean tryAcquire(int n, Duration timeout) {
        long deadline = WaitSupport.deadlineAfter(timeout);
        return switch (acquireInternal(n, true, deadline)) {
            case WaitNode.GRANTED -> true;
            case WaitNode.TIMED_OUT -> false;
            default -> throw WaitSupport.cancelled("acquiring " + n + " permits of " + this);
        };
    }

    /** Releases one permit, serving waiting requests that now fit, in order. */
    public void release() {
        release(1);
    }

    /**
     * Releases {@code n} permits, serving waiting requests that now fit, in order.
     *
     * @param n the number of permits
     * @throws IllegalArgumentException if {@code n} is negative, or the count would exceed
     *                                  {@link Integer#MAX_VALUE}
     */
    public void release(int n) {
        WaitSupport.requireNonNegative(n, "permits");
        WaitNode granted;
        guard.lock();
        try {
            if (n > Integer.MAX_VALUE - permits) {
                throw new IllegalArgumentException("releasing " + n + " permits would overflow " + this);
            }
            permits += n;
            granted = grantWaiters();
        } finally {
            guard.unlock();
        }
        WaitNode.wakeChain(granted);
    }

    /**
     * The number of permits available now (a snapshot).
     *
     * @return the available permits
     */
    public int availablePermits() {
        return permits;
    }

    /**
     * The number of requests waiting (a snapshot, for monitoring and tests).
     *
     * @return the queue length
     */
    public int queueLength() {
        return queue.lockedSize();
    }

    @Override
    public String toString() {
        return "FiberSemaphore[permits=" + permits + "]";
    }

    /**
     * Takes the permits at once if possible, else enqueues and waits.
     *
     * @return {@link WaitNode#GRANTED}, {@link WaitNode#TIMED_OUT} or {@link WaitNode#CANCELLED}
     */
    private int acquireInternal(int n, boolean timed, long deadline) {
        WaitSupport.requireNonNegative(n, "permits");
        WaitNode node;
        guard.lock();
        try {
            if (takeIfNobodyWaits(n)) {
                return WaitNode.GRANTED;
            }
            node = new WaitNode(null, n);
            queue.addLast(node);
        } finally {
            guard.unlock();
        }
        return node.await(timed, deadline, withdrawal);
    }

    /** Under the guard: the fast path, FIFO-respecting. */
    private boolean takeIfNobodyWaits(int n) {
        if (queue.isEmpty() && permits >= n) {
            permits -= n;
            return true;
        }
        return false;
    }

    /**
     * Under the guard: serves queued requests in order while they fit.
     *
     * @return the served nodes, a chain through {@code wakeNext} in FIFO order, or null
     */
    private WaitNode grantWaiters() {
        WaitNode first = null;
        WaitNode last = null;
        for (WaitNode head = queue.peekFirst(); head != null && head.permits <= permits; head = queue.peekFirst()) {
            permits -= head.permits;
            queue.remove(head);
            head.complete(WaitNode.GRANTED);
            if (last == null) {
                first = head;
            } else {
                last.wakeNext = head;
            }
            last = head;
        }
        return first;
    }

    /** A waiter gives up: leave the queue unless served first, then serve whoever now fits. */
    private boolean withdraw(WaitNode node) {
        WaitNode granted;
        guard.lock();
        try {
            if (!queue.removeIfWaiting(node)) {
                return false;
            }
            granted = grantWaiters();
        } finally {
            guard.unlock();
        }
        WaitNode.wakeChain(granted);
        return true;
    }
}
