package dev.fiberio.core.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * A reentrant mutual-exclusion lock for fibers: a fiber that waits for it suspends and leaves its
 * worker to other fibers; a plain thread that waits for it parks. Fibers and threads may share one lock.
 *
 * <pre>{@code
 * lock.lock();
 * try {
 *     // may suspend here (I/O, sleep, another lock...): the lock stays with this fiber
 * } finally {
 *     lock.unlock();
 * }
 * }</pre>
 *
 * <p><b>Owner.</b> The owner is the current {@link dev.fiberio.core.Fiber}, or the current
 * {@link Thread} when called outside a fiber. A fiber keeps the lock across suspensions and may unlock
 * it from whichever worker it was resumed on (which a {@code ReentrantLock} or a {@code synchronized}
 * block do not allow).
 *
 * <p><b>Fairness.</b> The lock is strictly FIFO with direct hand-off: {@link #unlock()} with waiters
 * makes the longest-waiting one the owner before it returns, so the lock is never free while anyone
 * waits and nobody (not even {@link #tryLock()}) can barge in ahead of a waiter.
 *
 * <p><b>Cancellation and timeouts.</b> {@link #lock()} throws
 * {@link dev.fiberio.core.FiberCancelledException} if the fiber is cancelled (the thread interrupted)
 * while it waits; {@link #tryLock(Duration)} also returns false when the time runs out. A free lock is
 * taken without looking at cancellation. If the lock is handed to a waiter in the same moment as it is
 * cancelled or times out, the waiter keeps the lock and returns normally.
 *
 * <h2>Implementation overview</h2>
 * <pre>
 * state             meaning                          moved out by
 * FREE (0)          unlocked; the queue is empty      lock fast path: →HELD (CAS)
 *                                                     waiter under guard: →HELD (CAS)
 * HELD (1)          locked, nobody queued             unlock fast path: →FREE (CAS)
 *                                                     waiter under guard: →QUEUED (CAS), then enqueues
 *                                                     unlocker under guard (last waiter withdrew): →FREE
 * QUEUED (2)        locked, waiters queued            only under the guard: hand-off keeps QUEUED, or →HELD
 *                                                     when it took the last waiter; a withdrawing last
 *                                                     waiter →HELD (release stores: nobody CASes from QUEUED)
 * </pre>
 * <ul>
 *   <li>{@code state} is the one word the fast paths touch: one CAS to lock, one CAS to unlock. Its
 *       invariant, kept under {@code guard}: the queue is non-empty only in {@code QUEUED}. So a lock
 *       CAS from {@code FREE} can never barge past a waiter, and an unlock whose CAS from {@code HELD}
 *       fails knows it must hand off under the guard.</li>
 *   <li>{@code owner} (plain) and {@code holds} (plain) belong to the owner: it writes them after
 *       acquiring and clears them before releasing, so the next owner sees them through the
 *       {@code state} CAS or the guard. On hand-off the unlocker writes {@code owner} for the new owner
 *       under the guard, published to it by the node's release store. Other threads read
 *       {@code owner} only in {@link #toString()} (a racy snapshot).</li>
 *   <li>{@code guard} (a {@link Guard}, never held across a suspension) protects {@code queue} (made by
 *       the first waiter), the waiters' nodes, and the moves of {@code state} out of {@code QUEUED}.</li>
 * </ul>
 */
public final class FiberLock {
    private static final int FREE = 0;
    private static final int HELD = 1;
    private static final int QUEUED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FiberLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings({"unused", "FieldMayBeFinal"})
    private volatile int state = FREE;
    /** The owning Fiber or Thread, or null; plain, see the overview. */
    private Object owner;
    /** Reentrant hold count of the owner; plain, touched only by the owner. */
    private int holds;

    private final Guard guard = new Guard();
    /**
     * The waiters, created by the first one (under the guard) and only ever touched under it. A lock
     * that nobody waits for never has one: every socket holds two locks that are almost never
     * contended, and an idle connection should cost no more than its parked fiber and its socket.
     */
    private WaitQueue queue;
    /**
     * How a waiter leaves, created by the first waiter. Plain and racy on purpose: two first waiters may
     * each create one, and either serves (a method reference to this lock, safely published by its
     * final field).
     */
    private WaitNode.Withdrawal withdrawal;

    /** Creates an unlocked lock. */
    public FiberLock() {
    }

    /**
     * Acquires the lock, waiting (suspending the fiber, or parking the thread) as long as it takes.
     * Reentrant: an owner calling again only increments its hold count.
     *
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled while waiting; the
     *                                                  lock is then not held
     */
    public void lock() {
        Object me = WaitSupport.callerIdentity();
        if (!tryAcquire(me) && acquireSlow(me, false, 0L) != WaitNode.GRANTED) {
            throw WaitSupport.cancelled("waiting for " + this);
        }
    }

    /**
     * Acquires the lock if it is free (and, FIFO, nobody waits) or already held by the caller.
     *
     * @return true if the caller now holds the lock
     */
    public boolean tryLock() {
        return tryAcquire(WaitSupport.callerIdentity());
    }

    /**
     * Acquires the lock, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait; zero or negative means do not wait
     * @return true if the caller now holds the lock, false if the time ran out
     * @throws dev.fiberio.core.FiberCancelledException if the caller is cancelled while waiting
     * @throws NullPointerException                     if {@code timeout} is null
     */
    public boolean tryLock(Duration timeout) {
        long deadline = WaitSupport.deadlineAfter(timeout);
        Object me = WaitSupport.callerIdentity();
        if (tryAcquire(me)) {
            return true;
        }
        return switch (acquireSlow(me, true, deadline)) {
            case WaitNode.GRANTED -> true;
            case WaitNode.TIMED_OUT -> false;
            default -> throw WaitSupport.cancelled("waiting for " + this);
        };
    }

    /**
     * Releases one hold; the last one releases the lock, handing it to the longest waiter if there is
     * one (that waiter is the owner when this method returns).
     *
     * @throws IllegalMonitorStateException if the caller does not hold the lock
     */
    public void unlock() {
        requireOwner("unlock");
        if (--holds == 0) {
            release();
        }
    }

    /**
     * Whether any fiber or thread holds the lock (a snapshot).
     *
     * @return true if locked
     */
    public boolean isLocked() {
        return getStateVolatile() != FREE;
    }

    /**
     * Whether the caller (the current fiber, or the current thread outside a fiber) holds the lock.
     *
     * @return true if held by the caller
     */
    public boolean isHeldByCurrentFiber() {
        return owner == WaitSupport.callerIdentity();
    }

    /**
     * The caller's number of holds: how many {@link #unlock()} calls release the lock.
     *
     * @return the hold count, 0 if the caller does not hold the lock
     */
    public int getHoldCount() {
        return isHeldByCurrentFiber() ? holds : 0;
    }

    /**
     * A new condition bound to this lock, for waiting until another fiber or thread signals a change
     * of the state this lock guards.
     *
     * @return the condition
     */
    public FiberCondition newCondition() {
        return new FiberCondition(this);
    }

    /**
     * The number of fibers and threads waiting to acquire the lock (a snapshot, for monitoring and tests).
     *
     * @return the queue length
     */
    public int queueLength() {
        guard.lock();
        try {
            return queue == null ? 0 : queue.size();
        } finally {
            guard.unlock();
        }
    }

    @Override
    public String toString() {
        Object o = owner;
        return "FiberLock[" + (o == null ? "unlocked" : "owner=" + o) + "]";
    }

    // ------------------------------------------------------------------------------------------
    // Acquire and release
    // ------------------------------------------------------------------------------------------

    /** The fast path: one CAS FREE→HELD, or a reentrant hold. */
    private boolean tryAcquire(Object me) {
        if (casState(FREE, HELD)) {
            owner = me;
            holds = 1;
            return true;
        }
        if (owner == me) { // only we ever write ourselves into owner
            if (holds == Integer.MAX_VALUE) {
                throw new IllegalMonitorStateException("maximum hold count exceeded for " + this);
            }
            holds++;
            return true;
        }
        return false;
    }

    /**
     * Takes the lock if it became free, else enqueues and waits.
     *
     * @return {@link WaitNode#GRANTED}, {@link WaitNode#TIMED_OUT} or {@link WaitNode#CANCELLED}
     */
    private int acquireSlow(Object me, boolean timed, long deadline) {
        WaitNode node = enqueueOrAcquire(me);
        int outcome = node == null ? WaitNode.GRANTED : node.await(timed, deadline, withdrawal());
        if (outcome == WaitNode.GRANTED) {
            holds = 1; // owner was written for us by the unlocker (or by enqueueOrAcquire)
        }
        return outcome;
    }

    /**
     * Under the guard: takes a free lock (returns null), or moves the state to QUEUED and enqueues
     * the caller's node.
     */
    private WaitNode enqueueOrAcquire(Object me) {
        guard.lock();
        try {
            for (;;) {
                int s = getStateVolatile();
                if (s == FREE) {
                    if (casState(FREE, HELD)) {
                        owner = me;
                        return null;
                    }
                } else if (s == QUEUED || casState(HELD, QUEUED)) {
                    WaitNode node = new WaitNode(me, 0);
                    WaitQueue q = queue;
                    if (q == null) {
                        queue = q = new WaitQueue(guard);
                    }
                    q.addLast(node);
                    return node;
                }
            }
        } finally {
            guard.unlock();
        }
    }

    private WaitNode.Withdrawal withdrawal() {
        WaitNode.Withdrawal w = withdrawal;
        if (w == null) {
            withdrawal = w = this::withdraw;
        }
        return w;
    }

    /** The owner's last release: one CAS HELD→FREE, or a hand-off to the oldest waiter. */
    private void release() {
        owner = null;
        if (!casState(HELD, FREE)) {
            handOff();
        }
    }

    /** State is QUEUED (only the guard moves it out): make the oldest waiter the owner. */
    private void handOff() {
        WaitNode next;
        guard.lock();
        try {
            next = queue.pollFirst();
            if (next == null) {
                setStateRelease(FREE); // the last waiter withdrew after our CAS failed; state is HELD
                return;
            }
            if (queue.isEmpty()) {
                setStateRelease(HELD);
            }
            owner = next.value;
            next.complete(WaitNode.GRANTED);
        } finally {
            guard.unlock();
        }
        next.wake();
    }

    /** A waiter gives up: leave the queue unless the lock was handed to it first. */
    private boolean withdraw(WaitNode node) {
        guard.lock();
        try {
            if (!queue.removeIfWaiting(node)) {
                return false;
            }
            if (queue.isEmpty()) {
                setStateRelease(HELD); // QUEUED without waiters is not a state
            }
            return true;
        } finally {
            guard.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------
    // For FiberCondition
    // ------------------------------------------------------------------------------------------

    /**
     * Releases every hold of the caller, whose ownership {@link #requireOwner} checked: the first half
     * of a condition wait.
     *
     * @return the hold count to give back to {@link #reacquire}
     */
    int releaseFully() {
        int saved = holds;
        holds = 0;
        release();
        return saved;
    }

    /**
     * Acquires the lock again with {@code savedHolds} holds, waiting as long as it takes and ignoring
     * cancellation: the second half of a condition wait, which must end holding the lock.
     *
     * @param me         the caller's identity, as returned by {@link #requireOwner} before the wait
     * @param savedHolds what {@link #releaseFully()} returned
     */
    void reacquire(Object me, int savedHolds) {
        if (casState(FREE, HELD)) {
            owner = me;
        } else {
            WaitNode node = enqueueOrAcquire(me);
            if (node != null) {
                node.awaitUninterruptibly();
            }
        }
        holds = savedHolds;
    }

    /**
     * Throws unless the caller owns the lock.
     *
     * @param operation what was attempted, for the message
     * @return the caller's identity (the owner)
     */
    Object requireOwner(String operation) {
        Object me = WaitSupport.callerIdentity();
        if (owner != me) {
            throw new IllegalMonitorStateException(operation + " by " + me + ", which does not hold " + this);
        }
        return me;
    }

    private int getStateVolatile() {
        return (int) STATE.getVolatile(this);
    }

    private boolean casState(int expected, int next) {
        return STATE.compareAndSet(this, expected, next);
    }

    private void setStateRelease(int next) {
        STATE.setRelease(this, next);
    }
}
