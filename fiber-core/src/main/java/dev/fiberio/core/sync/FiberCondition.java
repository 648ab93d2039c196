package dev.fiberio.core.sync;

import java.time.Duration;

/**
 * A condition queue bound to a {@link FiberLock} (from {@link FiberLock#newCondition()}): a fiber or
 * thread holding the lock waits in {@link #await()} until another one, holding the lock, calls
 * {@link #signal()} or {@link #signalAll()}.
 *
 * <pre>{@code
 * lock.lock();
 * try {
 *     while (queue.isEmpty()) {
 *         notEmpty.await();     // releases the lock while the fiber is suspended
 *     }
 *     return queue.poll();
 * } finally {
 *     lock.unlock();
 * }
 * }</pre>
 *
 * <p>{@code await} releases every hold the caller has on the lock and takes them all back before it
 * returns or throws, also on timeout and cancellation. Waiters are signalled in FIFO order. There are
 * no spurious wake-ups, but as with any condition the waited-for state may have changed again by the
 * time the waiter holds the lock: always wait in a loop. A signal that races with the waiter's timeout
 * or cancellation is not lost: the waiter consumes it and returns normally (or {@code true}).
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code waiters} is a FIFO of {@link WaitNode}s guarded by {@code guard} (never held across a
 *       suspension). A waiter enqueues its node while it still holds the lock, and only then
 *       releases the lock, so a signaller (who must hold the lock) always finds it: no lost wake-ups.</li>
 *   <li>{@link #signal()} dequeues the oldest node and completes it under the guard, then wakes it
 *       outside; the woken waiter re-acquires the lock through the lock's own FIFO.</li>
 *   <li>A waiter that times out or is cancelled removes its node under the guard, unless a signal
 *       completed it first; either way it then re-acquires the lock, ignoring cancellation.</li>
 * </ul>
 */
public final class FiberCondition {
    private final FiberLock lock;
    private final Guard guard = new Guard();
    private final WaitQueue waiters = new WaitQueue(guard);

    FiberCondition(FiberLock lock) {
        this.lock = lock;
    }

    /**
     * Releases the lock, waits until signalled, and re-acquires the lock with the same hold count.
     *
     * @throws IllegalMonitorStateException             if the caller does not hold the lock
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled before or while waiting
     *                                                  (the lock is held again when it is thrown)
     */
    public void await() {
        if (awaitInternal(false, 0L) != WaitNode.GRANTED) {
            throw WaitSupport.cancelled("awaiting " + this);
        }
    }

    /**
     * Like {@link #await()}, but waits at most {@code timeout}.
     *
     * @param timeout the longest wait; zero or negative means release, check once, re-acquire
     * @return true if signalled, false if the time ran out
     * @throws IllegalMonitorStateException             if the caller does not hold the lock
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled before or while waiting
     * @throws NullPointerException                     if {@code timeout} is null
     */
    public boolean await(Duration timeout) {
        return switch (awaitInternal(true, WaitSupport.deadlineAfter(timeout))) {
            case WaitNode.GRANTED -> true;
            case WaitNode.TIMED_OUT -> false;
            default -> throw WaitSupport.cancelled("awaiting " + this);
        };
    }

    /**
     * Wakes the longest-waiting waiter, if any.
     *
     * @throws IllegalMonitorStateException if the caller does not hold the lock
     */
    public void signal() {
        lock.requireOwner("signal");
        WaitNode node;
        guard.lock();
        try {
            node = waiters.pollFirst();
            if (node != null) {
                node.complete(WaitNode.GRANTED);
            }
        } finally {
            guard.unlock();
        }
        if (node != null) {
            node.wake();
        }
    }

    /**
     * Wakes every waiter.
     *
     * @throws IllegalMonitorStateException if the caller does not hold the lock
     */
    public void signalAll() {
        lock.requireOwner("signalAll");
        WaitNode chain;
        guard.lock();
        try {
            chain = waiters.completeAll(WaitNode.GRANTED);
        } finally {
            guard.unlock();
        }
        WaitNode.wakeChain(chain);
    }

    /**
     * The number of fibers and threads waiting on this condition (a snapshot, for monitoring and tests).
     *
     * @return the number of waiters
     */
    public int waiterCount() {
        return waiters.lockedSize();
    }

    @Override
    public String toString() {
        return "FiberCondition[of " + lock + "]";
    }

    /**
     * Enqueue (holding the lock), release the lock, wait, re-acquire.
     *
     * @return {@link WaitNode#GRANTED}, {@link WaitNode#TIMED_OUT} or {@link WaitNode#CANCELLED}
     */
    private int awaitInternal(boolean timed, long deadline) {
        Object me = lock.requireOwner("await");
        if (WaitSupport.isCancelled(me)) {
            return WaitNode.CANCELLED; // before releasing anything, like an interrupted Condition.await
        }
        WaitNode node = new WaitNode(null, 0);
        guard.lock();
        try {
            waiters.addLast(node);
        } finally {
            guard.unlock();
        }
        int savedHolds = lock.releaseFully();
        try {
            return node.await(timed, deadline, waiters);
        } finally {
            lock.reacquire(me, savedHolds);
        }
    }
}
