package dev.fiberio.core.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.jfr.FiberPinnedEvent;

/**
 * A reusable place where one waiter (a fiber, or a plain thread) waits for one wake-up: the
 * {@code resume_state} handshake that every blocking primitive of fiberio is built on (I/O readiness
 * and completion, timers, cancellation, locks, channels, join, futures, the blocking pool).
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code resume_state} (one {@code long}) holds the state in bits 0–1, the reason of the winning
 *       waker in bits 2–3 (meaningful in {@code READY}) and, above them, the <b>episode</b>: a counter
 *       that the waiter increments each time it begins a wait. Every transition is one CAS, or, for the
 *       waiter's own consumption of {@code READY}, one atomic exchange (nobody else leaves
 *       {@code READY}).</li>
 *   <li>The <b>waiter</b> (one at a time; a second concurrent waiter gets an
 *       {@link IllegalStateException}) writes the plain fields {@code waiter}, {@code deadline} and
 *       {@code timed} before its CAS {@code IDLE→SUSPENDING}, which publishes them.</li>
 *   <li>The <b>post-switch hook</b> ({@link #afterSuspend}) runs on the worker after the fiber
 *       switched out; it arms the deadline timer (bound to the episode) and CASes
 *       {@code SUSPENDING→SUSPENDED}.</li>
 *   <li><b>Wakers</b> (any thread, any number) CAS the state to {@code READY}. Only the waker that
 *       replaced {@code SUSPENDED} resumes the waiter, and it resumes the waiter it read <em>before</em>
 *       its CAS: the episode in the word makes the CAS fail if that wait ended and another began
 *       meanwhile, so a wake-up is bound to the wait it won. (A thread waiter can leave on its own after
 *       a spurious return; reading {@code waiter} after the CAS could find the next waiter.)</li>
 * </ul>
 *
 * <pre>
 * resume_state   meaning                              moved out by
 * IDLE (0)       nobody waits, nothing is ready        waiter: IDLE→SUSPENDING   (beginWait, CAS, episode+1)
 *                                                      thread: IDLE→SUSPENDED    (parkThreadWait, CAS, episode+1)
 *                                                      waker:  IDLE→READY        (signal only: a permit)
 * SUSPENDING (1) waiter decided to wait, switching out hook:   SUSPENDING→SUSPENDED (publishSuspended, CAS)
 *                                                      pinned: SUSPENDING→SUSPENDED (publishSuspended, waits on its carrier)
 *                                                      waker:  SUSPENDING→READY  (wake, CAS; the hook resumes)
 * SUSPENDED (2)  waiter fully switched out / parked    waker:  SUSPENDED→READY   (wake, CAS; the waker resumes)
 * READY (3)      a wake-up is there, with its reason   waiter: READY→IDLE        (consume, atomic exchange)
 * </pre>
 *
 * <p>Exactly one of {hook, waker} resumes the fiber, exactly once; it is never resumed before its
 * hook ran, because no waker can see {@code SUSPENDED} before the hook wrote it.
 *
 * <h2>Fences: no lost wake-up whatever the caller's memory order</h2>
 * A waiter that finds a left-over wake-up consumes it and re-checks its condition; a waker publishes
 * the condition and then looks at the slot. That is a Dekker pair (each side writes one variable and
 * reads the other), which release/acquire alone does not order: the waiter could read a stale condition
 * while the waker still reads the old {@code READY} and leaves, and the waiter would then wait on an
 * {@code IDLE} slot forever. So:
 * <ul>
 *   <li>{@code consume} is an atomic exchange (a volatile read-modify-write): nothing the waiter reads
 *       afterwards, volatile or plain, can be ordered before it;</li>
 *   <li>every path of a waker that returns <em>without</em> a successful CAS (the slot is already
 *       {@code READY}, or {@code IDLE} for an {@link #interrupt}) first executes
 *       {@link VarHandle#fullFence()} and reads the state again; a path that succeeds publishes the
 *       condition with its CAS, which the waiter's next read of the state acquires.</li>
 * </ul>
 * Callers may therefore publish their condition with a plain, release or volatile write; no caller has
 * to follow a memory-order rule. The fence costs nothing on the common paths (a waker that finds
 * {@code SUSPENDED} or {@code IDLE} does its CAS and no fence).
 *
 * <h2>Pinned waits</h2>
 * A fiber that cannot switch out — it holds a monitor ({@code synchronized}), or a native frame
 * (an FFM upcall) or a class initialiser is on its stack — waits <em>pinned</em>: it publishes its
 * carrier thread as the waiter, moves {@code SUSPENDING→SUSPENDED} itself and parks the carrier, as a
 * plain thread does. The scheduler starts a compensating worker meanwhile, so its parallelism is kept;
 * no other fiber runs on that carrier until the wait is over, and the fiber continues on the same
 * carrier, so a monitor never migrates and is never entered by another fiber of the same carrier.
 *
 * <p><b>Reasons are advisory.</b> The authoritative condition (data available, lock granted, deadline
 * passed, fiber cancelled, socket closed) lives in the structure that owns the slot, and a waiter
 * re-checks it after every wake-up. A {@link #signal()} permit left from an earlier round wakes a waiter
 * that finds nothing and waits again. Deadline timers, though, are bound to their episode and never
 * wake a later wait.
 *
 * <p>A plain thread may wait too: it skips {@code SUSPENDING} (it has no stack to switch out), moves
 * {@code IDLE→SUSPENDED} itself and parks; a waker that replaces {@code SUSPENDED} unparks it.
 */
public final class WaitSlot implements SuspendHook {
    /** State: nobody waits and nothing is ready. */
    public static final int IDLE = 0;
    /** State: a fiber decided to wait and is switching out. */
    public static final int SUSPENDING = 1;
    /** State: the waiter is fully switched out (or parked, for a thread or a pinned fiber). */
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

    private static final long STATE_MASK = 3;
    private static final int REASON_SHIFT = 2;
    private static final long REASON_MASK = 3L << REASON_SHIFT;
    private static final int EPISODE_SHIFT = 4;
    private static final long EPISODE_ONE = 1L << EPISODE_SHIFT;

    private static final VarHandle RESUME_STATE;

    static {
        try {
            RESUME_STATE = MethodHandles.lookup().findVarHandle(WaitSlot.class, "resume_state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The handshake word; see the table above. Accessed only through {@link #RESUME_STATE}. */
    @SuppressWarnings({"unused", "FieldMayBeFinal"})
    private volatile long resume_state = IDLE;

    /** The waiting Fiber or Thread; plain, written by the waiter before its publishing CAS. */
    private Object waiter;
    /** Deadline of the current wait in {@link System#nanoTime()} units, valid when {@link #timed}. */
    private long deadline;
    private boolean timed;
    /** The deadline timer of the current wait; plain, written by the hook before its CAS. */
    private TimerHandle timer;

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
        long s = volatileState();
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
            CoreAccess.get().setWaitingOn(fiber, this); // volatile; pairs with Fiber.cancel(): see there
            if (fiber.isCancelled()) {
                wake(CANCELLED, false);
            }
        }
        if (stateOf(volatileState()) != READY && !CoreAccess.get().trySuspend(fiber, this)) {
            // Pinned (a monitor, a native frame or a class initialiser on the stack): wait on the carrier.
            awaitPinned(fiber, isTimed, deadlineNanos);
        }
        // Resumed (or woken before suspending, in which case nobody else resumes us).
        CoreAccess.get().setWaitingOn(fiber, null);
        TimerHandle t = timer;
        if (t != null) {
            timer = null;
            t.cancel();
        }
        return consume(volatileState());
    }

    /**
     * The pinned variant of the post-switch hook plus the wait: the fiber did not switch out, so it
     * publishes its carrier thread as the waiter, moves SUSPENDING→SUSPENDED itself and parks the carrier
     * until a waker makes the slot READY. The scheduler compensates for the blocked worker meanwhile.
     */
    private void awaitPinned(Fiber fiber, boolean isTimed, long deadlineNanos) {
        CoreAccess core = CoreAccess.get();
        Thread carrier = core.carrierThread(fiber); // not Thread.currentThread(): it can be stale in compiled code
        waiter = carrier;
        if (!publishSuspended()) {
            return; // READY: a waker came while we tried to switch out
        }
        Runnable end = core.pinnedWaitBegins(fiber);
        FiberPinnedEvent event = new FiberPinnedEvent();
        event.begin();
        try {
            for (;;) {
                if (stateOf(volatileState()) == READY) {
                    return;
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
                if (Thread.interrupted()) {
                    // A carrier is interrupted only by the scheduler's shutdown; the fiber's own cancellation
                    // arrives through the slot. Drop it, else park() would return at once forever.
                    continue;
                }
            }
        } finally {
            end.run();
            if (event.shouldCommit()) {
                event.fiberId = fiber.id();
                event.fiberName = fiber.name();
                event.reason = core.lastPinReason(fiber);
                event.commit();
            }
        }
    }

    private int awaitOnThread(boolean isTimed, long deadlineNanos, boolean interruptible) {
        long s = volatileState();
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
    private static IllegalStateException secondWaiter(long word) {
        return new IllegalStateException("WaitSlot already has a waiter (state " + stateOf(word) + ")");
    }

    /** Transition IDLE→SUSPENDING by the fiber that is about to switch out (one CAS; next episode). */
    private boolean beginWait(long idle) {
        return RESUME_STATE.compareAndSet(this, idle, nextEpisode(idle) | SUSPENDING);
    }

    /** Transition IDLE→SUSPENDED by a waiting thread, which has nothing to switch out (one CAS; next episode). */
    private boolean parkThreadWait(long idle) {
        return RESUME_STATE.compareAndSet(this, idle, nextEpisode(idle) | SUSPENDED);
    }

    /**
     * Transition READY→IDLE by the waiter: an atomic exchange, so that the waiter's re-check of its
     * condition cannot be ordered before it (see "Fences" above). Only the waiter leaves READY, so the
     * value it replaces is the {@code readyWord} it read.
     */
    private int consume(long readyWord) {
        waiter = null;
        RESUME_STATE.getAndSet(this, readyWord & ~(STATE_MASK | REASON_MASK)); // IDLE, same episode
        return (int) ((readyWord & REASON_MASK) >>> REASON_SHIFT);
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
        TimerHandle t = null;
        if (timed) {
            // The run's start, not a fresh reading: a deadline that passed during the run gets a timer
            // that fires on the worker's next turn, which is as soon as this check would have resumed it.
            if (deadline - CoreAccess.get().hookClock() <= 0) {
                wake(TIMED_OUT, false); // SUSPENDING→READY; our own CAS below then fails and we resume
            } else {
                t = CoreAccess.get().armTimer(fiber, deadline, this, episodeOf(volatileState()));
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
        CoreAccess.get().resume(fiber);
    }

    /**
     * Transition SUSPENDING→SUSPENDED by the hook, or by a pinned waiter (one CAS); false if a waker
     * made it READY. Only the hook or the pinned waiter leaves SUSPENDING other than to READY, so the
     * word read here is the one to replace unless a waker replaced it.
     */
    private boolean publishSuspended() {
        long s = volatileState();
        return stateOf(s) == SUSPENDING && RESUME_STATE.compareAndSet(this, s, (s & ~STATE_MASK) | SUSPENDED);
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
     * Wakes a current waiter with {@code reason}, but leaves no permit if nobody waits. Used by
     * cancellation and close, which concern only a wait in progress.
     *
     * @param reason {@link #TIMED_OUT}, {@link #CANCELLED}, {@link #CLOSED} or {@link #SIGNALED}
     * @return true if this call made the slot {@code READY}
     */
    public boolean interrupt(int reason) {
        return wake(reason, false);
    }

    /**
     * A deadline timer's wake-up: like {@link #interrupt(int) interrupt(TIMED_OUT)}, but only for the
     * wait of {@code episode}, so a timer that fires while its wait ends never wakes the next one.
     *
     * @param episode the wait the timer belongs to
     * @return true if this call made the slot {@code READY}
     */
    public boolean timeout(long episode) {
        long s = volatileState();
        for (;;) {
            int st = stateOf(s);
            if (episodeOf(s) != episode || st == READY || st == IDLE) {
                return false; // that wait is over; nothing of ours to order with (time is not memory)
            }
            Object w = st == SUSPENDED ? waiter : null;
            long witness = (long) RESUME_STATE.compareAndExchange(this, s, readyWord(s, TIMED_OUT));
            if (witness == s) {
                if (st == SUSPENDED) {
                    resumeWaiter(w);
                }
                return true;
            }
            s = witness;
        }
    }

    /**
     * The waker's transitions IDLE/SUSPENDING/SUSPENDED→READY, one CAS each. Only the waker that
     * replaced SUSPENDED resumes the waiter, the one it read before the CAS. The loop retries only when
     * the state moved on; a path that returns without a CAS is fenced first (see "Fences").
     */
    private boolean wake(int reason, boolean leavePermit) {
        long s = volatileState();
        boolean fenced = false;
        for (;;) {
            int st = stateOf(s);
            if (st == READY || (st == IDLE && !leavePermit)) {
                if (fenced) {
                    return false;
                }
                VarHandle.fullFence(); // orders the caller's condition write before the re-read below
                fenced = true;
                s = volatileState();
                continue;
            }
            Object w = st == SUSPENDED ? waiter : null; // bound to this episode by the CAS below
            long witness = (long) RESUME_STATE.compareAndExchange(this, s, readyWord(s, reason));
            if (witness == s) {
                if (st == SUSPENDED) {
                    resumeWaiter(w);
                }
                return true; // SUSPENDING: the hook's CAS will fail and the hook resumes the fiber
            }
            s = witness;
        }
    }

    private static void resumeWaiter(Object w) {
        if (w instanceof Fiber f) {
            CoreAccess.get().resume(f);
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

    /**
     * The episode of the current (or last) wait; for tests that arm a timer for it by hand.
     *
     * @return the episode
     */
    public long episode() {
        return episodeOf(volatileState());
    }

    private long volatileState() {
        return (long) RESUME_STATE.getVolatile(this);
    }

    private static int stateOf(long word) {
        return (int) (word & STATE_MASK);
    }

    private static long episodeOf(long word) {
        return word >>> EPISODE_SHIFT;
    }

    private static long nextEpisode(long word) {
        return (word & ~(STATE_MASK | REASON_MASK)) + EPISODE_ONE;
    }

    private static long readyWord(long word, int reason) {
        return (word & ~(STATE_MASK | REASON_MASK)) | ((long) reason << REASON_SHIFT) | READY;
    }

    @Override
    public String toString() {
        long s = volatileState();
        String[] names = {"IDLE", "SUSPENDING", "SUSPENDED", "READY"};
        return "WaitSlot[" + names[stateOf(s)] + (stateOf(s) == READY ? ", reason=" + ((s & REASON_MASK) >>> REASON_SHIFT) : "") + "]";
    }
}
