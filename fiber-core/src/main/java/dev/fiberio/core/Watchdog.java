package dev.fiberio.core;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import dev.fiberio.core.jfr.FiberLongRunEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a fiber that holds a worker longer than the threshold without suspending: a handler doing
 * CPU-heavy work or calling a blocking API starves every other fiber of that worker.
 *
 * <p>One daemon thread per scheduler samples each worker every quarter threshold. A run is identified
 * by the worker's run sequence number; each run is reported at most once, and at most one report is
 * logged per threshold period (rate limit), with the stack of the worker's thread, which holds the
 * fiber's frames while it is mounted. The samples race with the workers benignly: a report may name a
 * run that ended a moment later.
 */
final class Watchdog implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    private final FiberScheduler scheduler;
    private final long thresholdNanos;
    private static final long COMPENSATE_AFTER_NANOS = 20_000_000L;
    private final long[] reportedSeq;
    private final Thread thread;
    private volatile boolean stopped;
    private long lastReport;
    private long suppressed;
    private volatile long reports;

    Watchdog(FiberScheduler scheduler, Duration threshold) {
        this.scheduler = scheduler;
        this.thresholdNanos = threshold.toNanos();
        this.reportedSeq = new long[scheduler.workers.length];
        java.util.Arrays.fill(reportedSeq, -1);
        this.thread = new Thread(this, "fiberio-" + scheduler.name() + "-watchdog");
        this.thread.setDaemon(true);
    }

    void start() {
        lastReport = System.nanoTime() - thresholdNanos;
        thread.start();
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    /** Reports logged so far (for tests). */
    long reports() {
        return reports;
    }

    /**
     * A worker whose thread is blocked by the JVM while running a fiber ({@code Object.wait()}, a
     * contended {@code synchronized}, a blocking call) cannot run anything else, and the fiber that would
     * unblock it may be queued behind it: a spare worker compensates while the thread stays blocked in
     * that run, as Go's runtime hands a P off a thread blocked in a system call. The compensation ends at
     * the first sample that finds the run over or the thread running again, so a fiber that computes after
     * its wait does not keep a spare running beside it. Pinned waits compensate themselves; a sample that
     * races with one (it read no pinned fiber, then the thread parked in the pinned wait) adds a second
     * reason to the same worker ({@link Worker#blocked}), not a second spare.
     *
     * @param threadBlocked whether the worker's thread is BLOCKED or WAITING (read after {@code f},
     *                      {@code seq} and the worker's pinned fiber)
     */
    void compensateIfBlocked(Worker w, Fiber f, long seq, long now, java.util.function.BooleanSupplier threadBlocked) {
        if (w.compensatedRun != 0) {
            if (f == null || w.runSequence() != w.compensatedRun - 1 || !threadBlocked.getAsBoolean()) {
                w.compensatedRun = 0;
                w.unblocked(Worker.JVM_BLOCKED);
            }
            return;
        }
        if (f == null || w.pinned != null || now - w.runStartNanos() < COMPENSATE_AFTER_NANOS) {
            return;
        }
        if (threadBlocked.getAsBoolean() && w.runSequence() == seq && w.runningFiber() == f) {
            w.compensatedRun = seq + 1;
            w.blocked(Worker.JVM_BLOCKED);
        }
    }

    private static boolean threadBlocked(Worker w) {
        Thread.State st = w.thread.getState();
        return st == Thread.State.BLOCKED || st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING;
    }

    @Override
    public void run() {
        long period = Math.max(Math.min(thresholdNanos / 4, COMPENSATE_AFTER_NANOS), 1_000_000L);
        while (!stopped) {
            LockSupport.parkNanos(this, period);
            sample(System.nanoTime());
        }
    }

    private void sample(long now) {
        Worker[] workers = scheduler.workers;
        for (int i = 0; i < workers.length; i++) {
            Worker w = workers[i];
            long seq = w.runSequence();
            Fiber f = w.runningFiber();
            compensateIfBlocked(w, f, seq, now, () -> threadBlocked(w));
            if (f == null || reportedSeq[i] == seq) {
                continue;
            }
            long ran = now - w.runStartNanos();
            if (ran < thresholdNanos || w.runSequence() != seq) {
                continue;
            }
            reportedSeq[i] = seq;
            if (now - lastReport < thresholdNanos) {
                suppressed++;
                continue;
            }
            FiberLongRunEvent event = new FiberLongRunEvent();
            if (event.isEnabled()) {
                event.fiberId = f.id();
                event.fiberName = f.name();
                event.worker = w.thread.getName();
                event.runningFor = ran;
                event.pinned = w.pinned == f;
                StringBuilder st = new StringBuilder();
                for (StackTraceElement e : w.thread.getStackTrace()) {
                    st.append(e).append('\n');
                }
                event.fiberStack = st.toString();
                event.commit();
            }
            lastReport = now;
            Throwable where = new Throwable("stack of " + f + " on " + w.thread.getName());
            where.setStackTrace(w.thread.getStackTrace());
            if (w.pinned == f) {
                LOG.warn("{} is pinned to worker {} for {} ms (threshold {} ms): it waits while holding a monitor"
                                + " (synchronized), or inside a native callback or class initialiser, so it cannot"
                                + " switch out; a spare worker compensates. Use FiberLock instead of synchronized.{}",
                        f, w.index, ran / 1_000_000, thresholdNanos / 1_000_000,
                        suppressed > 0 ? " (" + suppressed + " similar reports suppressed)" : "", where);
            } else {
                LOG.warn("{} has run for {} ms on worker {} without suspending (threshold {} ms); it blocks every"
                                + " fiber queued behind it. Offload blocking calls with Fiber.blocking(...).{}",
                        f, ran / 1_000_000, w.index, thresholdNanos / 1_000_000,
                        suppressed > 0 ? " (" + suppressed + " similar reports suppressed)" : "", where);
            }
            suppressed = 0;
            reports = reports + 1; // single writer: this thread
        }
    }
}
