package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.core.spi.CarrierLocal;

import dev.fiberio.core.jfr.PollerWaitEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker of a {@link FiberScheduler}: a platform thread that takes a fiber, runs it until it
 * suspends or ends, runs its post-switch hook, and repeats.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code queue}: the bounded run queue ({@link RunQueue}). Any thread offers (resumes from
 *       other threads, the hook of a fiber of this worker); the owner polls; idle workers of the same
 *       scheduler steal by polling. When it is full, fibers go to the scheduler's overflow queue, which
 *       every worker serves when its own queue is empty and, for fairness, every 61st run.</li>
 *   <li>{@code timers}: owned by this worker's thread alone (see {@link TimerQueue}).</li>
 *   <li>{@code parkState}: {@code RUNNING}/{@code PARKED}/{@code POLLING}. An idle worker blocks in a
 *       poller attached to its scheduler if one is free (POLLING: a submitter wakes the poller), and
 *       parks otherwise. The owner sets PARKED (volatile) before its
 *       last look for work and parks; a submitter that sees PARKED wins the CAS PARKED→RUNNING and
 *       unparks the thread. Both sides are volatile accesses (sequentially consistent), so either
 *       the owner sees the new fiber or the submitter sees PARKED: no lost wake-up. A stale unpark
 *       only costs a spurious return from {@code park}.</li>
 *   <li><b>Spare workers</b> ({@code spare}) compensate for workers blocked by a pinned fiber (one that
 *       waits on its carrier, see {@link WaitSlot}): spare {@code k} runs fibers while more than {@code k}
 *       workers are pinned, and is otherwise DORMANT (not counted idle, never woken by submitters). Its
 *       thread starts on first need. Spares sit in the scheduler's worker array, so others steal from
 *       them and fire their timers; a spare going dormant hands its queue to the overflow queue.</li>
 *   <li>{@code timers}: any idle worker may fire another worker's due timers ({@link TimerQueue}), and
 *       an idle worker sleeps at most until the earliest deadline of all workers, so a worker busy with a
 *       long run never strands a timer while another worker is free.</li>
 *   <li>{@code current}, {@code runStart}, {@code runSeq}: written by the owner around each run with
 *       release stores, read by the watchdog with acquire loads (benign race: the watchdog may see a
 *       run that just ended and reports nothing, or a fiber a moment late).</li>
 * </ul>
 * Loop per fiber: CAS the fiber RUNNABLE→RUNNING (a failure is an invariant violation: the fiber is
 * never run on two workers at once), {@code run()} its continuation, then either terminate it or mark
 * it suspended and run its hook.
 */
final class Worker implements Runnable {
    private static final int RUNNING = 0;
    private static final int PARKED = 1;
    private static final int POLLING = 2;
    /** A spare worker with nothing to compensate for: parked, not idle, woken only by {@link #enableSpare}. */
    private static final int DORMANT = 3;
    /** A busy worker polls an attached poller without blocking every this many runs. */
    private static final int POLL_INTERVAL = 61;
    /**
     * Extra looks for work (each after a spin-wait hint) before an idle worker parks, when another worker
     * may hand it some: {@code fiberio.scheduler.spins}, default 0. Spinning saves a wake-up when work
     * arrives within microseconds, but burns the core meanwhile; with two workers sharing two cores with
     * the load, 64 spins cost 4-31% more CPU per echo message and 7-15% of the echo throughput (BENCHMARKS.md).
     * Like tokio's workers, an idle worker looks once (its queue, the overflow, every other worker's
     * queue) and parks; machines with cores to spare may set it.
     */
    private static final int SPINS = Math.max(0, Integer.getInteger("fiberio.scheduler.spins", 0));
    /** Most fibers moved by one steal besides the one taken to run. */
    private static final int STEAL_BATCH = Integer.getInteger("fiberio.scheduler.stealBatch", 32); // 0: one at a time (A/B runs)
    /** Run-queue size per worker; beyond it, fibers go to the scheduler's shared overflow queue. */
    static final int QUEUE_CAPACITY = 4096;
    /** Run-queue size of an unstarted scheduler's workers: jcstress allocates one per sample and queues a few fibers. */
    private static final int UNSTARTED_QUEUE_CAPACITY = 16;
    /** Every this many runs, the overflow queue is served first, so it cannot starve. */
    static final int OVERFLOW_FAIRNESS = 61;
    private static final VarHandle PARK_STATE;
    private static final VarHandle CURRENT;
    private static final VarHandle RUN_START;
    private static final VarHandle RUN_SEQ;
    private static final VarHandle BLOCKED_BY;
    /** {@link #blockedBy} bit: the worker's fiber waits pinned on it. */
    static final int PINNED_WAIT = 1;
    /** {@link #blockedBy} bit: the watchdog found the worker's thread blocked by the JVM while running a fiber. */
    static final int JVM_BLOCKED = 2;
    /** {@link #goDormant()}: the scheduler is stopping. */
    static final int DORMANCY_STOP = 0;
    /** {@link #goDormant()}: a blocked worker needs this spare after all; it runs on. */
    static final int DORMANCY_ENABLED = 1;
    /** {@link #goDormant()}: nothing to compensate for; the spare may sleep (DORMANT is published). */
    static final int DORMANCY_SLEEP = 2;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PARK_STATE = l.findVarHandle(Worker.class, "parkState", int.class);
            CURRENT = l.findVarHandle(Worker.class, "current", Fiber.class);
            RUN_START = l.findVarHandle(Worker.class, "runStart", long.class);
            RUN_SEQ = l.findVarHandle(Worker.class, "runSeq", long.class);
            BLOCKED_BY = l.findVarHandle(Worker.class, "blockedBy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final FiberScheduler scheduler;
    final int index;
    final WorkerThread thread;
    /** Spare number (0, 1, ...) of a compensating worker, or -1 for a regular worker. */
    final int spare;
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    /** The fiber blocking this worker in a pinned wait, or null; volatile, read by the watchdog. */
    volatile Fiber pinned;
    /** Watchdog only: 1 + the run sequence for which a spare compensates a blocked thread, or 0. */
    long compensatedRun;
    /**
     * Why this worker cannot run fibers now ({@link #PINNED_WAIT}, {@link #JVM_BLOCKED}), 0 if it can.
     * The scheduler counts the worker blocked once, whatever the number of reasons: a pinned wait the
     * watchdog also sees as a blocked thread must not make two spares run for one worker.
     */
    @SuppressWarnings("unused")
    private volatile int blockedBy;
    final RunQueue queue;
    final TimerQueue timers = new TimerQueue();

    /** Values of {@link CarrierLocal}s; touched only by this worker's thread (plain). */
    private Object[] carrierLocals = new Object[4];

    @SuppressWarnings("unused")
    private volatile int parkState = RUNNING;
    /** The poller this worker blocks in while POLLING; plain, written before the volatile POLLING store. */
    private dev.fiberio.core.spi.Poller pollingOn;
    @SuppressWarnings("unused")
    private Fiber current;
    @SuppressWarnings("unused")
    private long runStart;
    /** The clock reading of findWork's look that found the fiber it returned; the owner's only. */
    private long lookedAt;
    @SuppressWarnings("unused")
    private long runSeq;

    Worker(FiberScheduler scheduler, int index, int spare, String threadName, boolean daemon) {
        this.scheduler = scheduler;
        this.index = index;
        this.spare = spare;
        this.queue = new RunQueue(scheduler.startsThreads ? QUEUE_CAPACITY : UNSTARTED_QUEUE_CAPACITY);
        this.thread = new WorkerThread(this, threadName);
        this.thread.setDaemon(daemon);
    }

    /** The timers of the worker running the calling thread; only called from hooks on workers. */
    static TimerQueue currentTimers() {
        if (Thread.currentThread() instanceof WorkerThread wt) {
            return wt.worker.timers;
        }
        throw new IllegalStateException("timers are only available on a fiberio worker thread");
    }

    /**
     * Arms a deadline timer on the worker running the calling hook. If it became the worker's earliest,
     * an idle worker is woken to sleep until it instead, so that it fires the timer should this worker
     * then be busy for long.
     */
    static TimerQueue.Entry armTimer(long deadline, WaitSlot slot, long episode) {
        if (!(Thread.currentThread() instanceof WorkerThread wt)) {
            throw new IllegalStateException("timers are only available on a fiberio worker thread");
        }
        Worker w = wt.worker;
        long before = w.timers.earliest();
        TimerQueue.Entry e = w.timers.schedule(deadline, slot, episode);
        if (deadline - before < 0) {
            w.scheduler.wakeIdleHelper(w);
        }
        return e;
    }

    /** Starts the thread (marks it started only, on an unstarted scheduler); spares start on first need. */
    void start() {
        if (started.compareAndSet(false, true) && scheduler.startsThreads) {
            thread.start();
        }
    }

    boolean isStarted() {
        return started.get();
    }

    /** Lets a spare run (starting its thread on first need), waking it if DORMANT. */
    void enableSpare() {
        if (!started.get()) {
            start();
            return;
        }
        if (PARK_STATE.compareAndSet(this, DORMANT, RUNNING)) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Whether a submitter on another thread may put a fiber on this worker's queue: a regular worker that
     * is not blocked. Never a spare: it may go dormant between the submitter's look and its offer, and a
     * dormant spare's queue is served by nobody but idle thieves, so only the spare's own thread fills
     * it (and empties it before going dormant).
     */
    boolean acceptsWork() {
        return spare < 0 && blockedBy == 0;
    }

    /**
     * This worker cannot run fibers for reason {@code why} (a {@code blockedBy} bit); the first reason
     * lets one more spare run.
     */
    void blocked(int why) {
        int old;
        do {
            old = (int) BLOCKED_BY.getVolatile(this);
            if ((old & why) != 0) {
                return;
            }
        } while (!BLOCKED_BY.compareAndSet(this, old, old | why));
        if (old == 0) {
            scheduler.compensationBegins();
        }
    }

    /** Reason {@code why} is gone; when no reason is left, one spare fewer runs. */
    void unblocked(int why) {
        int old;
        do {
            old = (int) BLOCKED_BY.getVolatile(this);
            if ((old & why) == 0) {
                return;
            }
        } while (!BLOCKED_BY.compareAndSet(this, old, old & ~why));
        if ((old & ~why) == 0) {
            scheduler.compensationEnds();
        }
    }

    /** The reasons this worker is blocked ({@code blockedBy} bits), 0 if none. */
    int blockedBy() {
        return blockedBy;
    }

    /**
     * The worker whose thread is the caller, or null. Inside a fiber this is the fiber's carrier, found
     * through the mounted continuation: {@code Thread.currentThread()} must not be trusted there, because
     * C2 treats it as immutable within a compiled method and may reuse a value read before a suspension
     * after the fiber migrated to another carrier (see docs/architecture.md).
     */
    static Worker current() {
        Fiber f = FiberContinuation.mountedFiber();
        if (f != null) {
            return f.lastCarrier();
        }
        return Thread.currentThread() instanceof WorkerThread wt ? wt.worker : null;
    }

    @Override
    public void run() {
        try {
            for (int tick = 1; ; tick++) {
                if (spare >= 0 && !scheduler.spareEnabled(this)) {
                    if (!sleepWhileDormant()) {
                        return; // stopped
                    }
                }
                Fiber f = tick % OVERFLOW_FAIRNESS == 0 ? scheduler.pollOverflow() : null;
                if (f == null) {
                    f = queue.poll();
                }
                if (f == null) {
                    f = findWork();
                    if (f == null) {
                        return; // stopped
                    }
                    runFiber(f, lookedAt);
                } else {
                    if (tick % POLL_INTERVAL == 0) {
                        pollWithoutBlocking();
                    }
                    // One clock reading per run serves the timers, the run's start (the watchdog's) and the
                    // post-switch hook's deadline check: System.nanoTime() costs 50-250 ns in a VM, and a
                    // request/response fiber run is a few microseconds.
                    long now = System.nanoTime();
                    if (!timers.isEmpty()) {
                        timers.expire(now);
                    }
                    runFiber(f, now);
                }
            }
        } finally {
            scheduler.workerExited(this);
        }
    }

    /** Runs {@code f}; {@code now} is a clock reading taken just before, the run's recorded start. */
    private void runFiber(Fiber f, long now) {
        f.mount(this); // CAS RUNNABLE→RUNNING, throws on violation
        RUN_START.setRelease(this, now);
        CURRENT.setRelease(this, f);
        java.util.Set<Object> threadLocalsBefore = SuspensionChecks.ENABLED ? SuspensionChecks.beforeRun(thread) : null;
        try {
            f.runContinuation();
        } finally {
            CURRENT.setRelease(this, (Fiber) null);
            RUN_SEQ.setRelease(this, (long) RUN_SEQ.getOpaque(this) + 1);
        }
        if (threadLocalsBefore != null && !f.isDone()) { // it suspended (a finished fiber keeps nothing)
            SuspensionChecks.afterSuspension(f, thread, threadLocalsBefore);
        }
        f.afterRun(); // terminate, or mark YIELDED and run the post-switch hook
    }

    /**
     * Timers (own and other workers' due ones), own queue, stealing, a brief spin, then park until work
     * or the earliest deadline of all workers.
     */
    private Fiber findWork() {
        int spins = 0;
        // Spinning waits for a hand-off from another worker; with none running, work comes only from this
        // worker's poller and timers, which park() waits on, or from outside threads, which wake it.
        int maxSpins = scheduler.anotherWorkerMayHandOff() ? SPINS : 0;
        // One clock reading per look after a park, not per spin: a timer due during the spin (a few
        // microseconds) is seen by park(), which then does not block.
        long now = System.nanoTime();
        for (;;) {
            timers.expire(now);
            scheduler.expireForeignTimers(this, now);
            Fiber f = queue.poll();
            if (f == null) {
                f = scheduler.pollOverflow();
            }
            if (f == null) {
                f = steal();
            }
            if (f != null) {
                lookedAt = now; // the run's start: at most a spin earlier than a fresh reading
                if (spins > 0 && scheduler.spinningWorkers.decrementAndGet() == 0 && scheduler.hasQueuedWork()) {
                    // The last spinner found work and more is queued: wake a replacement, or a burst would
                    // run on fewer workers than are free (Go's runtime does the same).
                    scheduler.wakeIdleHelper(this);
                }
                return f;
            }
            if (scheduler.isStopping() || (spare >= 0 && !scheduler.spareEnabled(this))) {
                if (spins > 0) {
                    scheduler.spinningWorkers.decrementAndGet();
                }
                if (scheduler.isStopping()) {
                    return null;
                }
                if (!sleepWhileDormant()) {
                    return null;
                }
                now = System.nanoTime(); // it may have slept long
                continue;
            }
            if (spins < maxSpins) {
                if (spins++ == 0) {
                    scheduler.spinningWorkers.incrementAndGet();
                }
                Thread.onSpinWait();
                continue;
            }
            if (spins > 0) {
                scheduler.spinningWorkers.decrementAndGet();
                spins = 0;
            }
            park();
            now = System.nanoTime();
        }
    }

    /**
     * Takes work from a random other worker: one fiber to run now and, like tokio's scheduler, up to
     * half of what is left in the victim's queue (at most {@link #STEAL_BATCH}) into this worker's own
     * queue, so an idle worker does not come back for every single fiber of a burst.
     */
    private Fiber steal() {
        Worker[] all = scheduler.workers;
        int n = all.length;
        if (n == 1) {
            return null;
        }
        int start = ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < n; i++) {
            Worker victim = all[(start + i) % n];
            if (victim != this) {
                Fiber f = victim.queue.poll();
                if (f != null) {
                    int more = Math.min(victim.queue.size() / 2, STEAL_BATCH);
                    for (int k = 0; k < more; k++) {
                        Fiber g = victim.queue.poll();
                        if (g == null) {
                            break;
                        }
                        if (!queue.offer(g)) {
                            scheduler.overflowOffer(g);
                        }
                    }
                    return f;
                }
            }
        }
        return null;
    }

    /** Busy: gives I/O events a chance even when no worker is idle to block in the poller. */
    private void pollWithoutBlocking() {
        AttachedPoller p = scheduler.acquirePoller(this);
        if (p != null) {
            try {
                p.poller.poll(0);
            } catch (java.io.IOException | RuntimeException e) {
                scheduler.pollFailed(p.poller, e);
            } finally {
                p.release();
            }
        }
    }

    /** Idle: blocks in an attached poller if one is free, else parks. */
    private void park() {
        AttachedPoller p = scheduler.acquirePoller(this);
        if (p != null) {
            try {
                pollInsteadOfParking(p.poller);
            } finally {
                p.release();
            }
            return;
        }
        parkThread();
    }

    /**
     * The POLLING variant of parking: publishes POLLING (volatile) before the last look for work, like
     * PARKED; a submitter that sees it wins the CAS POLLING→RUNNING and wakes the poller instead of
     * unparking the thread. The poller's wake-up is sticky, so it cannot be lost either.
     */
    private void pollInsteadOfParking(dev.fiberio.core.spi.Poller poller) {
        pollingOn = poller;
        PARK_STATE.setVolatile(this, POLLING);
        scheduler.idleWorkers.incrementAndGet();
        try {
            if (scheduler.hasQueuedWork() || scheduler.isStopping()) {
                return;
            }
            long next = scheduler.earliestTimer();
            long timeout = next == Long.MAX_VALUE ? -1 : Math.max(0, next - System.nanoTime());
            PollerWaitEvent event = new PollerWaitEvent();
            event.begin();
            int n = poller.poll(timeout);
            if (event.shouldCommit()) {
                event.poller = poller.toString();
                event.events = n;
                event.commit();
            }
        } catch (java.io.IOException | RuntimeException e) {
            scheduler.pollFailed(poller, e);
        } finally {
            if (PARK_STATE.compareAndSet(this, POLLING, RUNNING)) {
                scheduler.idleWorkers.decrementAndGet(); // nobody woke us: fix the count ourselves
            }
        }
    }

    private void parkThread() {
        if (!publishParked()) {
            return;
        }
        long next = scheduler.earliestTimer();
        if (next == Long.MAX_VALUE) {
            LockSupport.park(this);
        } else {
            long delay = next - System.nanoTime();
            if (delay > 0) {
                LockSupport.parkNanos(this, delay);
            }
        }
        if (unparkTransition()) { // woke by itself (deadline, spurious): nobody else decremented
            scheduler.idleWorkers.decrementAndGet();
        }
    }

    /**
     * The part of parking before the thread blocks: publishes PARKED (volatile), counts itself idle and
     * re-checks for work; a submitter that offers after that re-check sees PARKED and unparks it.
     *
     * @return true if the thread may park now; false if it found work or the scheduler stopping (then it
     *         is RUNNING again and the idle count is right)
     */
    boolean publishParked() {
        PARK_STATE.setVolatile(this, PARKED);
        scheduler.idleWorkers.incrementAndGet();
        if (scheduler.hasQueuedWork() || scheduler.isStopping()) {
            if (unparkTransition()) {
                scheduler.idleWorkers.decrementAndGet();
            }
            return false;
        }
        return true;
    }

    /**
     * A spare with nothing to compensate for sleeps DORMANT until {@link #enableSpare} or shutdown.
     * Transition RUNNING→DORMANT (volatile store by the owner), DORMANT→RUNNING (CAS by
     * {@link #enableSpare}, or by the owner when it finds itself enabled).
     *
     * @return false if the scheduler is stopping
     */
    private boolean sleepWhileDormant() {
        for (;;) {
            int verdict = goDormant();
            if (verdict != DORMANCY_SLEEP) {
                return verdict == DORMANCY_ENABLED;
            }
            LockSupport.park(this);
            PARK_STATE.compareAndSet(this, DORMANT, RUNNING);
            if (scheduler.spareEnabled(this) || scheduler.isStopping()) {
                return !scheduler.isStopping();
            }
        }
    }

    /**
     * The part of going dormant before the thread parks: hands the queue to the overflow queue and wakes
     * an idle worker to take it, publishes DORMANT, and re-checks whether a blocked worker needs this
     * spare. The re-check and {@link #enableSpare}'s CAS DORMANT→RUNNING are a Dekker pair (the blocked
     * count and the state are both written and read with volatile accesses): either the spare sees the
     * new count or the enabler sees DORMANT and unparks it.
     *
     * @return {@link #DORMANCY_SLEEP}, {@link #DORMANCY_ENABLED} or {@link #DORMANCY_STOP}
     */
    int goDormant() {
        boolean handedOff = false;
        for (Fiber f; (f = queue.poll()) != null; ) {
            scheduler.overflowOffer(f);
            handedOff = true;
        }
        if (handedOff) {
            scheduler.wakeIdleHelper(this); // else a parked worker sleeps on while they wait in the overflow queue
        }
        PARK_STATE.setVolatile(this, DORMANT);
        if (scheduler.isStopping()) {
            PARK_STATE.setVolatile(this, RUNNING);
            return DORMANCY_STOP;
        }
        if (scheduler.spareEnabled(this)) {
            PARK_STATE.compareAndSet(this, DORMANT, RUNNING);
            return DORMANCY_ENABLED;
        }
        return DORMANCY_SLEEP;
    }

    /** Transition PARKED→RUNNING (one CAS), by the owner or by a waker; the winner fixes the idle count. */
    private boolean unparkTransition() {
        return PARK_STATE.compareAndSet(this, PARKED, RUNNING);
    }

    /**
     * Unparks this worker if it is parked.
     *
     * @return true if this call woke it
     */
    boolean wakeIfParked() {
        int s = (int) PARK_STATE.getVolatile(this);
        if (s == PARKED && unparkTransition()) {
            scheduler.idleWorkers.decrementAndGet();
            LockSupport.unpark(thread);
            return true;
        }
        if (s == POLLING && PARK_STATE.compareAndSet(this, POLLING, RUNNING)) {
            scheduler.idleWorkers.decrementAndGet();
            pollingOn.wakeup(); // written before the POLLING store we read
            return true;
        }
        return false;
    }

    /** This worker's value of a {@link CarrierLocal}; called on this worker's thread only. */
    @SuppressWarnings("unchecked")
    <T> T carrierLocal(int index, java.util.function.Supplier<? extends T> initial) {
        Object[] l = carrierLocals;
        if (index >= l.length) {
            carrierLocals = l = java.util.Arrays.copyOf(l, Math.max(index + 1, l.length * 2));
        }
        Object v = l[index];
        if (v == null) {
            v = initial.get();
            l[index] = v;
        }
        return (T) v;
    }

    /** Unconditional unpark, for shutdown. */
    void kick() {
        LockSupport.unpark(thread);
        dev.fiberio.core.spi.Poller p = pollingOn;
        if (p != null) {
            p.wakeup(); // sticky: at worst one later poll returns early
        }
    }

    /** Watchdog: the fiber running now, or null (acquire load). */
    Fiber runningFiber() {
        return (Fiber) CURRENT.getAcquire(this);
    }

    /**
     * When the current (or, between runs, the last) run started (acquire load): the watchdog's, and the
     * post-switch hook's clock, which may so be a run's length behind {@link System#nanoTime()}.
     */
    long runStartNanos() {
        return (long) RUN_START.getAcquire(this);
    }

    /** Watchdog: count of finished runs (acquire load). */
    long runSequence() {
        return (long) RUN_SEQ.getAcquire(this);
    }
}
