package dev.fiberio.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A reusable place where one waiter (a fiber, or a plain thread) waits for one wake-up: the
 * {@code resume_state} handshake that every blocking primitive of fiberio is built on (I/O readiness
 * and completion, timers, cancellation, locks, channels, join, futures, the blocking pool).
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code resume_state} (one {@code int}) holds the state in its low two bits and, in
 *       {@code READY}, the reason of the winning waker above them. Every transition is one CAS or, for
 *       the waiter's own consumption of {@code READY}, one release store (nobody else moves a slot out
 *       of {@code READY}).</li>
 *   <li>The <b>waiter</b> (one at a time; a second concurrent waiter gets an
 *       {@link IllegalStateException}) writes the plain fields {@code waiter}, {@code deadline} and
 *       {@code timed} before its CAS {@code IDLE→SUSPENDING}, which publishes them.</li>
 *   <li>The <b>post-switch hook</b> ({@link #afterSuspend}) runs on the worker after the fiber
 *       switched out; it arms the deadline timer (field {@code timer}, plain, published by its CAS) and
 *       CASes {@code SUSPENDING→SUSPENDED}.</li>
 *   <li><b>Wakers</b> (any thread, any number) CAS the state to {@code READY}. Only the waker that
 *       replaced {@code SUSPENDED} schedules the waiter; one that replaced {@code SUSPENDING} leaves
 *       the resume to the hook, whose CAS then fails. A waker never spins waiting for another thread:
 *       its CAS loop only retries when the waiter made progress.</li>
 * </ul>
 *
 * <pre>
 * resume_state   meaning                              moved out by
 * IDLE (0)       nobody waits, nothing is ready        waiter: IDLE→SUSPENDING   (beginWait, CAS)
 *                                                      waker:  IDLE→READY        (signal only: a permit)
 * SUSPENDING (1) waiter decided to wait, switching out hook:   SUSPENDING→SUSPENDED (publishSuspended, CAS)
 *                                                      waker:  SUSPENDING→READY  (wake, CAS; the hook resumes)
 * SUSPENDED (2)  waiter fully switched out             waker:  SUSPENDED→READY   (wake, CAS; the waker resumes)
 * READY (3)      a wake-up is there, with its reason   waiter: READY→IDLE        (consume, release store)
 * </pre>
 *
 * <p>Exactly one of {hook, waker} resumes the fiber, exactly once; it is never resumed before its
 * hook ran, because no waker can see {@code SUSPENDED} before the hook wrote it.
 *
 * <p><b>Reasons are advisory.</b> The authoritative condition (data available, lock granted, deadline
 * passed, fiber cancelled, socket closed) lives in the structure that owns the slot, and a waiter
 * re-checks it after every wake-up. A wake-up may therefore be spurious: a stale timer or a
 * {@link #signal()} permit left from an earlier round wakes a waiter that finds nothing and waits
 * again. This keeps the slot free of generation counters and makes lost wake-ups the only bug to
 * fear, which the handshake excludes.
 *
 * <p>A plain thread may wait too: it skips {@code SUSPENDING} (it has no stack to switch out), moves
 * {@code IDLE→SUSPENDED} itself and parks; a waker that replaces {@code SUSPENDED} unparks it.
 */
public final class WaitSlot implements SuspendHook {
    /** State: nobody waits and nothing is ready. */
    public static final int IDLE = 0;
    /** State: a fiber decided to wait and is switching out. */
    public static final int SUSPENDING = 1;
    /** State: the waiter is fully switched out (or parked, for a thread). */
    public static final int SUSPENDED = 2;
    /** State: a wake-up is there. */
    public static final int READY = 3;

    /** Reason: an ordinary wake-up (I/O ready or complete, unpark, lock released, item sent...). */
    public static final int SIGNALED = 0;
    /** Reason: the deadline of the wait passed. */
    public static final int TIMED_OUT = 1;
    /** Reason: the waiting fiber was cancelled (or the waiting thread interrupted). */
    public static final int CANCELLED = 2;
    /** Reason: the resource the waiter waits on was closed. */
    public static final int CLOSED = 3;

    private static final int STATE_MASK = 3;
    private static final int REASON_SHIFT = 2;

    private static final VarHandle RESUME_STATE;

    static {
        try {
            RESUME_STATE = MethodHandles.lookup().findVarHandle(WaitSlot.class, "resume_state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The handshake word; see the table above. Accessed only through {@link #RESUME_STATE}. */
    @SuppressWarnings({"unused", "FieldMayBeFinal"})
    private volatile int resume_state = IDLE;

    /** The waiting Fiber or Thread; plain, written by the waiter before its publishing CAS. */
    private Object waiter;
    /** Deadline of the current wait in {@link System#nanoTime()} units, valid when {@link #timed}. */
    private long deadline;
    private boolean timed;
    /** The deadline timer of the current wait; plain, written by the hook before its CAS. */
    private TimerQueue.Entry timer;

    /** Creates an idle slot. */
    public WaitSlot() {
    }

    // ------------------------------------------------------------------------------------------
    // Waiter side
    // ------------------------------------------------------------------------------------------

    /**
     * Waits until a waker moves the slot to {@code READY}, then consumes that wake-up.
     * In a fiber the fiber suspends and its worker runs other fibers; on a plain thread the thread
     * parks. Returns at once if the slot is already {@code READY} (the wake-up came first).
     *
     * @return the reason of the winning waker: {@link #SIGNALED}, {@link #TIMED_OUT} (never here),
     *         {@link #CANCELLED} or {@link #CLOSED}
     * @throws IllegalStateException if another waiter is waiting on this slot
     * @throws FiberPinnedException  if the fiber cannot be switched out (nothing was consumed)
     */
    public int await() {
        return awaitInternal(false, 0L, true);
    }

    /**
     * Like {@link #await()}, but cancellation of the fiber (or interruption of the thread) does not end
     * the wait: only a waker does. For waits that must complete, such as taking back a lock that is
     * being handed over. A thread's interrupt status is kept and restored on return.
     *
     * @return the reason of the winning waker (never {@link #CANCELLED} from cancellation itself)
     */
    public int awaitUninterruptibly() {
        return awaitInternal(false, 0L, false);
    }

    /**
     * Like {@link #await()}, but a timer wakes the waiter with {@link #TIMED_OUT} once
     * {@code deadlineNanos} (a {@link System#nanoTime()} value) has passed.
     *
     * @param deadlineNanos the absolute deadline
     * @return the reason of the winning waker
     */
    public int awaitUntil(long deadlineNanos) {
        return awaitInternal(true, deadlineNanos, true);
    }

    private int awaitInternal(boolean isTimed, long deadlineNanos, boolean interruptible) {
        Fiber fiber = Fiber.current();
        if (fiber == null) {
            return awaitOnThread(isTimed, deadlineNanos, interruptible);
        }
        int s = volatileState();
        if (stateOf(s) == READY) {
            return consume(s);
        }
        if (stateOf(s) != IDLE) {
            throw secondWaiter(s);
        }
        if (interruptible && fiber.isCancelled()) {
            return CANCELLED;
        }
        waiter = fiber;
        timed = isTimed;
        deadline = deadlineNanos;
        if (!beginWait(s)) {
            return consume(volatileState()); // a waker made it READY between our read and our CAS
        }
        if (interruptible) {
            fiber.setWaitingOn(this); // volatile; pairs with Fiber.cancel(): see there
            if (fiber.isCancelled()) {
                wake(CANCELLED, false);
            }
        }
        if (stateOf(volatileState()) != READY) {
            try {
                Fiber.suspend(this);
            } catch (FiberPinnedException e) {
                fiber.setWaitingOn(null);
                if (abandonWait()) {
                    waiter = null;
                    throw e;
                }
                return consume(volatileState());
            }
        }
        // Resumed (or woken before suspending, in which case nobody else resumes us).
        fiber.setWaitingOn(null);
        TimerQueue.Entry t = timer;
        if (t != null) {
            timer = null;
            t.cancel();
        }
        return consume(volatileState());
    }

    private int awaitOnThread(boolean isTimed, long deadlineNanos, boolean interruptible) {
        int s = volatileState();
        if (stateOf(s) == READY) {
            return consume(s);
        }
        if (stateOf(s) != IDLE) {
            throw secondWaiter(s);
        }
        waiter = Thread.currentThread();
        if (!parkThreadWait(s)) {
            return consume(volatileState());
        }
        boolean restoreInterrupt = false;
        try {
            for (;;) {
                s = volatileState();
                if (stateOf(s) == READY) {
                    return consume(s);
                }
                if (Thread.currentThread().isInterrupted()) {
                    if (interruptible) {
                        wake(CANCELLED, false);
                        continue;
                    }
                    restoreInterrupt |= Thread.interrupted(); // else park() would return at once
                }
                if (isTimed) {
                    long remaining = deadlineNanos - System.nanoTime();
                    if (remaining <= 0) {
                        wake(TIMED_OUT, false);
                        continue;
                    }
                    LockSupport.parkNanos(this, remaining);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            if (restoreInterrupt) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One waiter at a time is the contract; a second one is detected here, before it touches any field,
     * on a best-effort basis (two waiters racing for an idle slot are not detected).
     */
    private static IllegalStateException secondWaiter(int word) {
        return new IllegalStateException("WaitSlot already has a waiter (state " + stateOf(word) + ")");
    }

    /** Transition IDLE→SUSPENDING by the fiber that is about to switch out (one CAS). */
    private boolean beginWait(int idle) {
        return RESUME_STATE.compareAndSet(this, idle, SUSPENDING);
    }

    /** Transition IDLE→SUSPENDED by a waiting thread, which has nothing to switch out (one CAS). */
    private boolean parkThreadWait(int idle) {
        return RESUME_STATE.compareAndSet(this, idle, SUSPENDED);
    }

    /** Transition SUSPENDING→IDLE when the switch-out was refused (pinned); false if READY. */
    private boolean abandonWait() {
        return RESUME_STATE.compareAndSet(this, SUSPENDING, IDLE);
    }

    /** Transition READY→IDLE by the waiter (a release store: only the waiter leaves READY). */
    private int consume(int readyWord) {
        waiter = null;
        RESUME_STATE.setRelease(this, IDLE);
        return readyWord >>> REASON_SHIFT;
    }

    // ------------------------------------------------------------------------------------------
    // The post-switch hook
    // ------------------------------------------------------------------------------------------

    /**
     * Runs on the worker right after the waiting fiber switched out: arms the deadline timer and
     * publishes the fiber as {@code SUSPENDED}; if a waker came during the switch, resumes the fiber
     * itself. Not for application use: {@link #await()} installs it.
     */
    @Override
    public void afterSuspend(Fiber fiber) {
        TimerQueue.Entry t = null;
        if (timed) {
            if (deadline - System.nanoTime() <= 0) {
                wake(TIMED_OUT, false); // SUSPENDING→READY; our own CAS below then fails and we resume
            } else {
                t = Worker.currentTimers().schedule(deadline, this);
                timer = t;
            }
        }
        if (publishSuspended()) {
            return;
        }
        // READY: a waker saw SUSPENDING and left the resume to us.
        if (t != null) {
            timer = null;
            t.cancel();
        }
        fiber.resumeFromHook();
    }

    /** Transition SUSPENDING→SUSPENDED by the hook (one CAS); false if a waker made it READY. */
    private boolean publishSuspended() {
        return RESUME_STATE.compareAndSet(this, SUSPENDING, SUSPENDED);
    }

    // ------------------------------------------------------------------------------------------
    // Waker side
    // ------------------------------------------------------------------------------------------

    /**
     * Wakes the waiter, or, if nobody waits, leaves a permit that the next {@link #await()} consumes
     * at once (edge-triggered readiness, {@code unpark} before {@code park}). Several signals before the
     * next wait collapse into one permit.
     *
     * @return true if this call made the slot {@code READY}; false if it was already
     */
    public boolean signal() {
        return wake(SIGNALED, true);
    }

    /**
     * Wakes a current waiter with {@code reason}, but leaves no permit if nobody waits. Used by timers,
     * cancellation and close, which concern only a wait in progress.
     *
     * @param reason {@link #TIMED_OUT}, {@link #CANCELLED}, {@link #CLOSED} or {@link #SIGNALED}
     * @return true if this call made the slot {@code READY}
     */
    public boolean interrupt(int reason) {
        return wake(reason, false);
    }

    /**
     * The waker's transitions IDLE/SUSPENDING/SUSPENDED→READY, one CAS each. Only the waker that
     * replaced SUSPENDED resumes the waiter. The loop retries only when the waiter moved the state on.
     */
    private boolean wake(int reason, boolean leavePermit) {
        int ready = READY | (reason << REASON_SHIFT);
        for (;;) {
            int s = volatileState();
            switch (stateOf(s)) {
                case READY:
                    return false;
                case IDLE:
                    if (!leavePermit) {
                        return false;
                    }
                    if (RESUME_STATE.compareAndSet(this, s, ready)) {
                        return true;
                    }
                    break;
                case SUSPENDING:
                    if (RESUME_STATE.compareAndSet(this, s, ready)) {
                        return true; // the hook's CAS will fail and the hook resumes the fiber
                    }
                    break;
                default: // SUSPENDED
                    if (RESUME_STATE.compareAndSet(this, s, ready)) {
                        resumeWaiter();
                        return true;
                    }
                    break;
            }
        }
    }

    private void resumeWaiter() {
        // Read after our CAS: the waiter wrote it before its own CAS, and cannot clear it before it
        // runs again, which needs this resume.
        Object w = waiter;
        if (w instanceof Fiber f) {
            f.resumeFromWaker();
        } else {
            LockSupport.unpark((Thread) w);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Inspection
    // ------------------------------------------------------------------------------------------

    /**
     * The current state ({@link #IDLE}, {@link #SUSPENDING}, {@link #SUSPENDED} or {@link #READY});
     * a volatile read, for diagnostics and tests.
     *
     * @return the state
     */
    public int state() {
        return stateOf(volatileState());
    }

    /**
     * Whether a waiter is waiting (SUSPENDING or SUSPENDED).
     *
     * @return true if a waiter is waiting
     */
    public boolean hasWaiter() {
        int s = stateOf(volatileState());
        return s == SUSPENDING || s == SUSPENDED;
    }

    private int volatileState() {
        return (int) RESUME_STATE.getVolatile(this);
    }

    private static int stateOf(int word) {
        return word & STATE_MASK;
    }

    @Override
    public String toString() {
        int s = volatileState();
        String[] names = {"IDLE", "SUSPENDING", "SUSPENDED", "READY"};
        return "WaitSlot[" + names[stateOf(s)] + (stateOf(s) == READY ? ", reason=" + (s >>> REASON_SHIFT) : "") + "]";
    }
}
