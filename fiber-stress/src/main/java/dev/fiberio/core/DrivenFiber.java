package dev.fiberio.core;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.openjdk.jcstress.infra.results.IIIIII_Result;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * One fiber on a {@linkplain FiberScheduler#manual manual scheduler} of its own, for jcstress: one actor
 * plays the worker ({@link #runNext()}), others play wakers ({@link #wake}; a ring's reaper or a port's
 * poller delivering a completion, {@link #deliver}), and the arbiter runs what was resumed
 * ({@link #runAll()}) and reads the resume accounting. Public: the jcstress tests of the backends and the
 * completion core (other packages) reach fiber-core's package-private driving seams through it.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code runQueue} is the scheduler's sink. Any thread appends: the constructor (the spawn), the
 *       post-switch hook (on the thread inside {@link #runNext()}), a waker (on its own thread). Only the
 *       thread playing the worker polls it.</li>
 *   <li>The first submission is the start; every later one is a resume, counted in {@code hookResumes}
 *       when it comes from the thread that is running the fiber (the hook runs there, right after the
 *       switch) and in {@code wakerResumes} otherwise. {@code runningOn} (plain) names that thread; the
 *       sink only compares it with its own thread, so a stale value cannot mislead it.</li>
 *   <li>A resume the fiber refuses throws {@link IllegalStateException} and is counted by the scheduler's
 *       {@link FiberScheduler#invariantViolations()} (for the hook, which afterRun() catches, too).
 *       {@link #wake} catches it in the waker, and counts it in {@code earlyRefusals} as well when the
 *       fiber had not switched out yet: still never run ({@code startTaken}, volatile), or
 *       {@linkplain FiberState#RUNNING running} (during the actors only the worker actor runs it, once, so
 *       RUNNING when caught means RUNNING or not started when refused). {@link #deliver} catches it in a
 *       reaper or poller and counts it as early when the fiber is RUNNING or RUNNABLE (taken by no worker
 *       yet), as the completion core's tests grade it.</li>
 *   <li>{@code bodyStarted} and {@code result} (plain) are written by the fiber, which runs on the worker
 *       actor or on the arbiter, and read by the arbiter, which jcstress runs after every actor.</li>
 * </ul>
 * The scheduler has no threads and nothing to close: it is garbage with its state object.
 */
public final class DrivenFiber {
    /** {@link #result()} while the body has not returned: its fiber still waits. */
    public static final int NOT_RETURNED = -1;
    /** {@link #result()} of a fiber cancelled before it first ran: its body never started. */
    static final int NEVER_STARTED = -2;

    private final Queue<Fiber> runQueue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger submissions = new AtomicInteger();
    private final AtomicInteger hookResumes = new AtomicInteger();
    private final AtomicInteger wakerResumes = new AtomicInteger();
    private final AtomicInteger earlyRefusals = new AtomicInteger();
    private final FiberScheduler scheduler;
    private final Fiber fiber;
    private Thread runningOn;
    private volatile boolean startTaken;
    private boolean bodyStarted;
    private int result = NOT_RETURNED;

    /**
     * Spawns the fiber on a scheduler named "jcstress"; it runs nothing until {@link #runNext()}.
     *
     * @param body the fiber's code; what it returns is {@link #result()}
     */
    DrivenFiber(IntSupplier body) {
        this("jcstress", body);
    }

    /**
     * Spawns the fiber; it runs nothing until {@link #runNext()}.
     *
     * @param name the scheduler's name
     * @param body the fiber's code; what it returns is {@link #result()}
     */
    public DrivenFiber(String name, IntSupplier body) {
        scheduler = FiberScheduler.manual(name, this::submitted);
        fiber = scheduler.spawn(() -> {
            bodyStarted = true;
            result = body.getAsInt();
        });
    }

    private void submitted(Fiber f) {
        if (submissions.getAndIncrement() > 0) {
            (Thread.currentThread() == runningOn ? hookResumes : wakerResumes).incrementAndGet();
        }
        runQueue.add(f);
    }

    /** The fiber under test. */
    public Fiber fiber() {
        return fiber;
    }

    /** The fiber's manual scheduler (its sink is this harness's run queue). */
    FiberScheduler scheduler() {
        return scheduler;
    }

    /** The manual scheduler's timer queue, where the post-switch hook of a timed wait arms its timer. */
    TimerQueue timers() {
        return scheduler.manualTimers();
    }

    /** Invariant violations the scheduler counted (a resume refused as double or before the hook, a run refused). */
    public int violations() {
        return (int) scheduler.invariantViolations();
    }

    /**
     * Like {@link #runNext()}, but does nothing if nothing was submitted: for an actor that plays the
     * worker after a wake-up that may still be on its way.
     *
     * @return true if it ran the fiber
     */
    public boolean runNextIfAny() {
        if (runQueue.isEmpty()) {
            return false;
        }
        runNext();
        return true;
    }

    /**
     * The worker's part: runs the next submitted fiber on the calling thread until it suspends or ends,
     * then its post-switch hook.
     *
     * @throws IllegalStateException if nothing was submitted, or the fiber refused to run (run twice)
     */
    public void runNext() {
        Fiber f = runQueue.poll();
        if (f == null) {
            throw new IllegalStateException("nothing was submitted to run");
        }
        startTaken = true;
        runningOn = Thread.currentThread();
        try {
            f.runOnCallingThread();
        } finally {
            runningOn = null;
        }
    }

    /**
     * The arbiter's part: runs every submitted fiber until none is left. A fiber that refuses to run is
     * already counted by the scheduler.
     */
    public void runAll() {
        while (!runQueue.isEmpty()) {
            try {
                runNext();
            } catch (IllegalStateException refusedToRun) {
                // counted in scheduler.invariantViolations(), reported by resumeAttempts()
            }
        }
    }

    /**
     * A waker's part: calls {@code waker}, recording instead of throwing a resume that the fiber refused.
     *
     * @param waker wakes the fiber; returns what the waking call returned
     * @return what {@code waker} returned, or false if the fiber refused the resume
     */
    boolean wake(BooleanSupplier waker) {
        try {
            return waker.getAsBoolean();
        } catch (IllegalStateException refused) {
            if (!startTaken || fiber.state() == FiberState.RUNNING) {
                earlyRefusals.incrementAndGet();
            }
            return false;
        }
    }

    /**
     * A reaper's or poller's part: calls {@code delivery}, which hands a completion to the operation and
     * may resume the fiber, recording instead of throwing a resume the fiber refused; counted as early
     * when the fiber had not switched out yet (running, or runnable: taken by no worker yet).
     *
     * @param delivery delivers the completion; returns whether it completed the operation
     * @return what {@code delivery} returned, or true if the fiber refused the resume (the completion was delivered)
     */
    public boolean deliver(BooleanSupplier delivery) {
        try {
            return delivery.getAsBoolean();
        } catch (IllegalStateException refused) {
            FiberState s = fiber.state();
            if (s == FiberState.RUNNING || s == FiberState.RUNNABLE) {
                earlyRefusals.incrementAndGet();
            }
            return true;
        }
    }

    /** A waker that cancels the fiber, recording a refused resume like {@link #wake}. */
    void cancel() {
        wake(() -> {
            fiber.cancel();
            return true;
        });
    }

    /** What the body returned, {@link #NOT_RETURNED} or {@link #NEVER_STARTED}. */
    public int result() {
        if (!bodyStarted && fiber.state() == FiberState.TERMINATED) {
            return NEVER_STARTED;
        }
        return result;
    }

    /** Resumes after the start that the fiber accepted: 1 after one suspension, 0 without one. */
    public int resumes() {
        return hookResumes.get() + wakerResumes.get();
    }

    /** Resumes after the start, refused ones included: 1 after one suspension, 0 without one. */
    public int resumeAttempts() {
        return resumes() + (int) scheduler.invariantViolations();
    }

    /** Who resumed the fiber: 0 nobody, 1 the post-switch hook, 2 a waker, 3 both. */
    public int resumer() {
        return (hookResumes.get() > 0 ? 1 : 0) | (wakerResumes.get() > 0 ? 2 : 0);
    }

    /** Resumes refused because the fiber had not switched out yet. */
    public int earlyRefusals() {
        return earlyRefusals.get();
    }

    /**
     * Fills the fields the tests share ({@link ResumeOutcomes}): r2 resume attempts, r3 resumer, r4 early
     * refusals. The test fills r1 and its own fields.
     */
    void report(IIIII_Result r) {
        r.r2 = resumeAttempts();
        r.r3 = resumer();
        r.r4 = earlyRefusals();
    }

    /** Like {@link #report(IIIII_Result)}, for tests with two fields of their own. */
    void report(IIIIII_Result r) {
        r.r2 = resumeAttempts();
        r.r3 = resumer();
        r.r4 = earlyRefusals();
    }
}
