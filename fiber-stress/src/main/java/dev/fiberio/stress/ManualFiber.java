package dev.fiberio.stress;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.ManualDriving;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * One fiber on a manual scheduler (no worker threads), for the jcstress tests of the I/O backends: one
 * actor plays the worker ({@link #runNext()}: runs the fiber on its own thread until it suspends, then
 * the post-switch hook), other actors play wakers, and the arbiter runs whatever was resumed
 * ({@link #runAll()}) and reads how it was resumed.
 *
 * <p>fiber-core's seams for this are package-private; this module opens them to backend tests through
 * {@link ManualDriving}.
 *
 * <h2>Implementation overview</h2>
 * {@code runQueue} is the scheduler's sink: the constructor (the spawn), the post-switch hook (on the
 * thread inside {@link #runNext()}) and wakers (on their own threads) append; only the thread playing the
 * worker polls. Every submission after the first is a resume, counted in {@code hookResumes} when it
 * comes from the thread running the fiber ({@code runningOn}, plain, compared only with the submitting
 * thread itself) and in {@code wakerResumes} otherwise. {@code result} is written by the fiber and read
 * by the arbiter, which jcstress runs after every actor (volatile all the same: cheap, and safe for any
 * future caller on another thread).
 */
public final class ManualFiber {
    /** {@link #result()} while the body has not returned: the fiber still waits. */
    public static final int NOT_RETURNED = -1;

    private final Queue<Fiber> runQueue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger submissions = new AtomicInteger();
    private final AtomicInteger hookResumes = new AtomicInteger();
    private final AtomicInteger wakerResumes = new AtomicInteger();
    private final FiberScheduler scheduler;
    private Thread runningOn;
    private volatile int result = NOT_RETURNED;

    /**
     * Spawns the fiber; it runs nothing until {@link #runNext()}.
     *
     * @param body the fiber's code; what it returns is {@link #result()}
     */
    public ManualFiber(IntSupplier body) {
        scheduler = ManualDriving.scheduler("jcstress-io", this::submitted);
        scheduler.spawn(() -> result = body.getAsInt());
    }

    private void submitted(Fiber f) {
        if (submissions.getAndIncrement() > 0) {
            (Thread.currentThread() == runningOn ? hookResumes : wakerResumes).incrementAndGet();
        }
        runQueue.add(f);
    }

    /** The worker's part: runs the next submitted fiber until it suspends or ends, then its hook. */
    public void runNext() {
        Fiber f = runQueue.poll();
        if (f == null) {
            throw new IllegalStateException("nothing was submitted to run");
        }
        runningOn = Thread.currentThread();
        try {
            ManualDriving.runOnCallingThread(f);
        } finally {
            runningOn = null;
        }
    }

    /**
     * The worker's part after {@link #runNext()}: runs the fiber once more if it was resumed by now (by
     * its post-switch hook, or by a waker that came already), as a worker takes it from its queue.
     */
    public void runIfResumed() {
        if (!runQueue.isEmpty()) {
            runNext();
        }
    }

    /** The arbiter's part: runs every submitted fiber until none is left. */
    public void runAll() {
        while (!runQueue.isEmpty()) {
            try {
                runNext();
            } catch (IllegalStateException refusedToRun) {
                // counted in the scheduler's invariant violations, reported by violations()
            }
        }
    }

    /** What the body returned, or {@link #NOT_RETURNED}. */
    public int result() {
        return result;
    }

    /** Resumes after the start: 1 after one suspension, 0 without one. */
    public int resumes() {
        return hookResumes.get() + wakerResumes.get();
    }

    /** Who resumed the fiber: 0 nobody, 1 the post-switch hook, 2 a waker, 3 both. */
    public int resumer() {
        return (hookResumes.get() > 0 ? 1 : 0) | (wakerResumes.get() > 0 ? 2 : 0);
    }

    /** Resumes the fiber refused (run twice, or resumed before its hook). */
    public long violations() {
        return scheduler.invariantViolations();
    }
}
