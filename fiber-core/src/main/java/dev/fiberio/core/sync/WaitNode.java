package dev.fiberio.core.sync;

import dev.fiberio.core.spi.WaitSlot;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One blocked waiter of a primitive in this package: its own {@link WaitSlot}, its outcome, what it
 * brings or receives, and the links of the primitive's {@link WaitQueue}.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>The <b>waiter</b> (the fiber or thread that created the node) enqueues it under the primitive's
 *       guard, then runs {@link #await} outside the guard: it sleeps on {@code slot} and re-reads
 *       {@code status} after every wake-up, because {@link WaitSlot} reasons are advisory.</li>
 *   <li>A <b>waker</b> (any thread holding the primitive's guard) removes the node from its queue,
 *       writes {@code value} if it hands an item over, then publishes the outcome with
 *       {@link #complete} (a release store). After releasing the guard it calls {@link #wake()}, or
 *       {@link #wakeChain} for nodes linked through {@code wakeNext}.</li>
 *   <li>A waiter that times out or is cancelled calls back into its primitive
 *       ({@link Withdrawal#withdraw}), which, under the guard, removes the node only if it is still
 *       {@link #WAITING}. Otherwise a waker completed it first and the waiter keeps the grant: this is
 *       the one place where a grant and a cancellation race, and the guard decides it.</li>
 * </ul>
 *
 * <pre>
 * status        meaning                                     moved out by
 * WAITING (0)   in its queue, nothing granted yet           waker (guard): →GRANTED or →CLOSED, release store
 *                                                           waiter (guard): withdrawn; status stays WAITING
 * GRANTED (1)   lock/permits/signal/item handed over        final
 * CLOSED (2)    the primitive was closed under the waiter   final
 * </pre>
 *
 * Field ownership: {@code value}, {@code prev}, {@code next} and {@code wakeNext} are plain; they are
 * written under the primitive's guard (or before the node is enqueued) and read by the waiter only
 * after it read a completed {@code status} (volatile), or under the guard. {@code permits} is final.
 */
final class WaitNode {
    /** Outcome: still queued. */
    static final int WAITING = 0;
    /** Outcome: the waiter got what it waited for. */
    static final int GRANTED = 1;
    /** Outcome: the primitive was closed. */
    static final int CLOSED = 2;
    /** Outcome of {@link #await} only: the deadline passed and the node was withdrawn. */
    static final int TIMED_OUT = 3;
    /** Outcome of {@link #await} only: the waiter was cancelled and the node was withdrawn. */
    static final int CANCELLED = 4;

    private static final VarHandle STATUS;

    static {
        try {
            STATUS = MethodHandles.lookup().findVarHandle(WaitNode.class, "status", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Called by a waiter that gives up, to remove its node under the primitive's guard. */
    @FunctionalInterface
    interface Withdrawal {
        /**
         * Removes {@code node} from its queue if it is still {@link #WAITING}, repairing whatever the
         * primitive must (pass on permits, clear a "queued" flag...).
         *
         * @param node the waiter's node
         * @return true if removed; false if a waker completed it first
         */
        boolean withdraw(WaitNode node);
    }

    private final WaitSlot slot = new WaitSlot();
    @SuppressWarnings({"unused", "FieldMayBeFinal"})
    private volatile int status = WAITING;

    /** The item offered (a sender) or received (a receiver), or the waiter's identity (a lock). */
    Object value;
    /** The number of permits requested (a semaphore). */
    final int permits;

    /** Links of the {@link WaitQueue} this node is in; guarded by the primitive. */
    WaitNode prev;
    WaitNode next;
    /** Link of a chain of completed nodes to wake after the guard is released. */
    WaitNode wakeNext;

    WaitNode(Object value, int permits) {
        this.value = value;
        this.permits = permits;
    }

    /**
     * The outcome so far (a volatile read, which orders the later reads of {@code value}).
     *
     * @return {@link #WAITING}, {@link #GRANTED} or {@link #CLOSED}
     */
    int getStatusVolatile() {
        return (int) STATUS.getVolatile(this);
    }

    /**
     * Publishes the outcome; called by a waker under the primitive's guard, after it removed the node
     * from its queue and wrote what it hands over (a release store: only one waker gets here).
     *
     * @param outcome {@link #GRANTED} or {@link #CLOSED}
     */
    void complete(int outcome) {
        STATUS.setRelease(this, outcome);
    }

    /** Wakes the waiter of this completed node; called outside the guard. */
    void wake() {
        slot.signal();
    }

    /**
     * Wakes every node of a chain linked through {@code wakeNext}; called outside the guard.
     *
     * @param first the first node, or null
     */
    static void wakeChain(WaitNode first) {
        for (WaitNode n = first; n != null; ) {
            WaitNode following = n.wakeNext;
            n.wakeNext = null;
            n.wake();
            n = following;
        }
    }

    /**
     * Waits, suspending the calling fiber or parking the calling thread, until this node is completed,
     * the deadline passes or the caller is cancelled. A completed node always wins: a node completed
     * while its waiter was timing out or being cancelled returns its outcome.
     *
     * @param timed      whether {@code deadline} applies
     * @param deadline   a {@link System#nanoTime()} deadline
     * @param withdrawal how to leave the primitive's queue
     * @return {@link #GRANTED}, {@link #CLOSED}, {@link #TIMED_OUT} or {@link #CANCELLED}
     */
    int await(boolean timed, long deadline, Withdrawal withdrawal) {
        Object caller = WaitSupport.callerIdentity(); // once, before suspending: see WaitSupport.isCancelled
        for (;;) {
            int s = getStatusVolatile();
            if (s != WAITING) {
                return s;
            }
            int stop = WaitSupport.isCancelled(caller) ? CANCELLED
                    : timed && deadline - System.nanoTime() <= 0 ? TIMED_OUT
                    : WAITING;
            if (stop != WAITING) {
                if (withdrawal.withdraw(this)) {
                    return stop;
                }
                continue; // completed meanwhile: the loop returns its outcome
            }
            try {
                if (timed) {
                    slot.awaitUntil(deadline);
                } else {
                    slot.await();
                }
            } catch (RuntimeException | Error e) {
                // The wait failed (a misuse such as a second waiter; a pinned fiber waits, it does not throw):
                // leave the queue, unless a grant already came.
                if (withdrawal.withdraw(this)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Waits until this node is completed, ignoring cancellation (a condition waiter re-acquiring its
     * lock must get it back): {@link WaitSlot#awaitUninterruptibly()} suspends a cancelled fiber too,
     * and keeps a thread's interrupt status. A pinned fiber, which cannot switch out at all, parks its
     * carrier in the slot (a pinned wait). The node never leaves its queue here: whoever completes it
     * relies on the waiter taking what it was given.
     *
     * @return {@link #GRANTED} or {@link #CLOSED}
     */
    int awaitUninterruptibly() {
        int s;
        while ((s = getStatusVolatile()) == WAITING) {
            slot.awaitUninterruptibly();
        }
        return s;
    }
}
