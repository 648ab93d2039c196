package dev.fiberio.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.fiberio.core.jfr.FiberEndEvent;
import dev.fiberio.core.spi.CoreAccess;
import dev.fiberio.core.spi.SuspendHook;
import dev.fiberio.core.spi.WaitSlot;
import dev.fiberio.core.jfr.FiberResumedEvent;
import dev.fiberio.core.jfr.FiberStartEvent;

/**
 * A stackful fiber: code that runs on the worker threads of a {@link FiberScheduler} and suspends,
 * instead of blocking its thread, whenever it waits (for I/O, a timer, a lock, another fiber...).
 * A suspended fiber may be resumed on any worker.
 *
 * <pre>{@code
 * Fiber f = Fiber.spawn(() -> {
 *     Fiber.sleep(Duration.ofMillis(10));       // suspends the fiber, not the worker
 *     System.out.println("hello from " + Fiber.current().name());
 * });
 * f.join();
 * }</pre>
 *
 * <p>Inside a fiber, {@link Thread#currentThread()} is the worker ("carrier") and may change across
 * a suspension: use {@link FiberLocal}, not {@code ThreadLocal}, for per-fiber state, and never
 * suspend while holding a {@code synchronized} monitor or a {@code java.util.concurrent} lock (use
 * {@link dev.fiberio.core.sync.FiberLock}).
 *
 * <h2>Implementation overview</h2>
 * <pre>
 * state               meaning                                 transition (method, one CAS unless noted)
 * NEW (0)             created                                 →RUNNABLE   start()           scheduler
 * RUNNABLE (1)        in a run queue                          →RUNNING    mount()           worker; failure = invariant violation
 * RUNNING (2)         continuation mounted on a worker        →YIELDED    afterRun()        worker, after run() returned
 *                                                             →TERMINATED afterRun()        worker (volatile store)
 * YIELDED (3)         switched out; hook ran or is running    →RUNNABLE   resume()          hook or waker; failure = invariant violation
 *                                                             →INSPECTING beginInspection() dump()
 * INSPECTING (4)      dump() is reading the frozen stack      →YIELDED    endInspection()   dump()
 *                                                             →INSPECT_RESUMED resume()     a resume during the dump
 * INSPECT_RESUMED (5) resumed while inspected                 →RUNNABLE   endInspection()   dump() submits it
 * TERMINATED (6)      done
 * </pre>
 * Field ownership: {@code hook}, {@code locals} and {@code failure} are plain fields touched only by the
 * fiber and by the worker running it (same thread, or ordered by the run queue hand-off).
 * {@code carrier} is written by each worker that mounts the fiber and read by resumers to pick a queue
 * (benign race: a stale value only picks another worker). {@code cancelled} and {@code waitingOn}
 * are volatile: {@link #cancel()} writes the first and reads the second, a waiting fiber writes the
 * second and reads the first, so at least one of them sees the other (sequentially consistent
 * volatiles) and a cancellation is never lost.
 */
public final class Fiber {
    private static final int NEW = 0;
    private static final int RUNNABLE = 1;
    private static final int RUNNING = 2;
    private static final int YIELDED = 3;
    private static final int INSPECTING = 4;
    private static final int INSPECT_RESUMED = 5;
    private static final int TERMINATED = 6;

    private static final AtomicLong IDS = new AtomicLong();
    private static final Object UNSET = new Object();
    private static final SuspendHook RESCHEDULE = Fiber::resume;
    private static final VarHandle STATE;
    private static final VarHandle CANCELLED;

    static {
        CoreAccess.install(new CoreAccessImpl()); // the SPI package's bridge to the package-private machinery
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Fiber.class, "state", int.class);
            CANCELLED = l.findVarHandle(Fiber.class, "cancelled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    private final String name;
    private final FiberScheduler scheduler;
    private final Runnable task;
    private final FiberContinuation continuation;
    private final WaitSlot parkSlot = new WaitSlot();
    private final CompletableFuture<Void> termination = new CompletableFuture<>();

    @SuppressWarnings("unused")
    private volatile int state = NEW;
    @SuppressWarnings("unused")
    private volatile boolean cancelled;
    private volatile WaitSlot waitingOn;
    private SuspendHook hook;
    private Worker carrier;
    private Object[] locals;
    private Throwable failure;
    /** JFR FiberResumed: when this fiber last switched out and was woken (nanoTime), 0 when not recorded.
     *  Plain: written by the worker before the YIELDED CAS and by the resumer before the run-queue hand-off. */
    private long suspendedAt;
    private long resumedAt;
    /** Why the last suspension was refused (for messages); plain, the fiber's own. */
    private String lastPinReason;

    Fiber(FiberScheduler scheduler, String name, Runnable task) {
        this.id = IDS.incrementAndGet();
        this.name = name != null ? name : "fiber-" + id;
        this.scheduler = scheduler;
        this.task = task;
        this.continuation = new FiberContinuation(this, this::body);
    }

    // ------------------------------------------------------------------------------------------
    // Static API: the calling fiber
    // ------------------------------------------------------------------------------------------

    /**
     * The fiber running the calling code.
     *
     * @return the current fiber, or {@code null} when called outside a fiber
     */
    public static Fiber current() {
        // Through the mounted continuation, never Thread.currentThread(): C2 may reuse a currentThread()
        // value read before a suspension after the fiber migrated (regression test in FiberTest).
        return FiberContinuation.mountedFiber();
    }

    /**
     * Starts a fiber on the scheduler of the calling fiber, or on the
     * {@linkplain FiberScheduler#defaultScheduler() default scheduler} when called outside a fiber.
     *
     * @param task the code to run
     * @return the started fiber
     */
    public static Fiber spawn(Runnable task) {
        return spawn(null, task);
    }

    /**
     * Like {@link #spawn(Runnable)}, with a name (for dumps and logs).
     *
     * @param name the fiber's name, or null for {@code fiber-<id>}
     * @param task the code to run
     * @return the started fiber
     */
    public static Fiber spawn(String name, Runnable task) {
        Fiber cur = current();
        FiberScheduler s = cur != null ? cur.scheduler : FiberScheduler.defaultScheduler();
        return s.spawn(name, task);
    }

    /**
     * Lets other runnable fibers run: the calling fiber goes to the back of its worker's run queue.
     *
     * @throws IllegalStateException outside a fiber
     */
    public static void yield() {
        requireCurrent("Fiber.yield()").trySuspend(RESCHEDULE); // pinned: nothing else may run here; go on
    }

    /**
     * Suspends the calling fiber for at least {@code duration}; its worker runs other fibers meanwhile.
     *
     * @param duration how long to sleep; zero or negative returns at once
     * @throws FiberCancelledException if the fiber is cancelled
     * @throws IllegalStateException   outside a fiber
     */
    public static void sleep(Duration duration) {
        Fiber f = requireCurrent("Fiber.sleep()");
        long deadline = deadlineAfter(duration);
        for (;;) {
            f.throwIfCancelled();
            if (deadline - System.nanoTime() <= 0) {
                return;
            }
            f.parkSlot.awaitUntil(deadline);
        }
    }

    /**
     * Runs a blocking call (file I/O, DNS, a legacy blocking API) on the scheduler's blocking-offload
     * pool while the calling fiber suspends; the worker keeps running other fibers.
     *
     * @param call the blocking call
     * @param <T>  its result type
     * @return what {@code call} returned
     * @throws Exception               whatever {@code call} threw, unwrapped
     * @throws FiberCancelledException if the fiber is cancelled while waiting (the call is interrupted)
     * @throws IllegalStateException   outside a fiber
     */
    public static <T> T blocking(Callable<T> call) throws Exception {
        Objects.requireNonNull(call, "call");
        Fiber f = requireCurrent("Fiber.blocking()");
        CompletableFuture<T> result = new CompletableFuture<>();
        Future<?> task = f.scheduler.blockingPool().submit(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return await(result);
        } catch (FiberCancelledException e) {
            task.cancel(true);
            throw e;
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * Waits, suspending the calling fiber, until {@code future} completes.
     *
     * @param future the future to wait for
     * @param <T>    its result type
     * @return its result
     * @throws CompletionException     if it completed exceptionally (the cause inside)
     * @throws CancellationException   if it was cancelled
     * @throws FiberCancelledException if the calling fiber is cancelled while waiting
     * @throws IllegalStateException   outside a fiber
     */
    public static <T> T await(CompletableFuture<T> future) {
        Objects.requireNonNull(future, "future");
        Fiber f = requireCurrent("Fiber.await()");
        if (!future.isDone()) {
            future.whenComplete((v, e) -> f.unpark());
            while (!future.isDone()) {
                f.throwIfCancelled();
                f.parkSlot.await();
            }
        }
        return future.join();
    }

    /**
     * Low-level: suspends the calling fiber until {@link #unpark()} is called on it, it is cancelled,
     * or spuriously. Like {@code LockSupport.park}, an {@code unpark} that came first makes this
     * return at once; callers re-check their condition in a loop.
     *
     * @throws IllegalStateException outside a fiber
     */
    public static void park() {
        requireCurrent("Fiber.park()").parkSlot.await();
    }

    /**
     * Low-level: like {@link #park()}, but returns at the latest once {@code deadlineNanos} (a
     * {@link System#nanoTime()} value) has passed.
     *
     * @param deadlineNanos the absolute deadline
     * @throws IllegalStateException outside a fiber
     */
    public static void parkUntil(long deadlineNanos) {
        requireCurrent("Fiber.parkUntil()").parkSlot.awaitUntil(deadlineNanos);
    }

    /**
     * Switches this (current) fiber out with {@code hook}; false if the JVM or the monitor check refused
     * (nothing was suspended, the hook did not run, {@link #lastPinReason} says why).
     */
    boolean trySuspend(SuspendHook hook) {
        this.hook = hook;
        String refused = continuation.yieldFiber();
        if (refused == null) {
            return true;
        }
        this.hook = null;
        lastPinReason = refused;
        return false;
    }

    /** Why the last suspension was refused (MONITOR, NATIVE...), or null. */
    String lastPinReason() {
        return lastPinReason;
    }

    /** The carrier thread this (current, mounted) fiber runs on; reliable where Thread.currentThread() is not. */
    Thread carrierThread() {
        Worker w = carrier;
        return w != null ? w.thread : Thread.currentThread(); // null carrier: driven by a plain thread (tests)
    }

    /**
     * Throws {@link FiberCancelledException} if the calling fiber has been cancelled; outside a fiber,
     * if the calling thread has been interrupted (its interrupt status stays set).
     */
    public static void checkCancelled() {
        Fiber f = current();
        if (f != null) {
            f.throwIfCancelled();
        } else if (Thread.currentThread().isInterrupted()) {
            throw new FiberCancelledException("thread " + Thread.currentThread().getName() + " was interrupted");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Instance API
    // ------------------------------------------------------------------------------------------

    /**
     * A unique id, increasing in creation order.
     *
     * @return the id
     */
    public long id() {
        return id;
    }

    /**
     * The name given at spawn time, or {@code fiber-<id>}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The scheduler this fiber runs on.
     *
     * @return the scheduler
     */
    public FiberScheduler scheduler() {
        return scheduler;
    }

    /**
     * The current life-cycle state (a snapshot).
     *
     * @return the state
     */
    public FiberState state() {
        return switch ((int) STATE.getVolatile(this)) {
            case NEW -> FiberState.NEW;
            case RUNNABLE, INSPECT_RESUMED -> FiberState.RUNNABLE;
            case RUNNING -> FiberState.RUNNING;
            case YIELDED, INSPECTING -> FiberState.SUSPENDED;
            default -> FiberState.TERMINATED;
        };
    }

    /**
     * Makes a {@link #park()} of this fiber return (now, or at once when it next parks).
     */
    public void unpark() {
        parkSlot.signal();
    }

    /**
     * Cancels the fiber: its current blocking operation, and every later one, throws
     * {@link FiberCancelledException}. A fiber that never blocks is not stopped (check
     * {@link #checkCancelled()}). A fiber cancelled before it started never runs its task.
     * Idempotent.
     */
    public void cancel() {
        if (!CANCELLED.compareAndSet(this, false, true)) {
            return;
        }
        WaitSlot slot = waitingOn; // volatile read after the volatile write above
        if (slot != null) {
            slot.interrupt(WaitSlot.CANCELLED);
        }
    }

    /**
     * Whether {@link #cancel()} was called.
     *
     * @return true if cancelled
     */
    public boolean isCancelled() {
        return (boolean) CANCELLED.getVolatile(this);
    }

    /**
     * Waits until this fiber terminates. In a fiber, the caller suspends; on a thread, it blocks.
     *
     * @throws FiberCancelledException if this fiber ended cancelled, or the calling fiber is cancelled
     * @throws CompletionException     if this fiber ended with another exception (the cause inside)
     * @throws IllegalStateException   if a fiber joins itself
     */
    public void join() {
        waitForTermination();
        rethrowFailure();
    }

    /**
     * Waits at most {@code timeout} for this fiber to terminate.
     *
     * @param timeout the longest wait
     * @return true if it terminated, false if the time ran out
     * @throws FiberCancelledException if this fiber ended cancelled, or the calling fiber is cancelled
     * @throws CompletionException     if this fiber ended with another exception
     */
    public boolean join(Duration timeout) {
        long deadline = deadlineAfter(timeout);
        Fiber caller = current();
        if (caller == this) {
            throw new IllegalStateException("a fiber cannot join itself");
        }
        if (caller != null) {
            if (!termination.isDone()) {
                termination.whenComplete((v, e) -> caller.unpark());
                while (!termination.isDone()) {
                    caller.throwIfCancelled();
                    if (deadline - System.nanoTime() <= 0) {
                        return false;
                    }
                    caller.parkSlot.awaitUntil(deadline);
                }
            }
        } else {
            try {
                termination.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FiberCancelledException("interrupted while joining " + this);
            } catch (ExecutionException | CancellationException e) {
                // failure is reported by rethrowFailure() below
            }
        }
        rethrowFailure();
        return true;
    }

    /**
     * A future completed when this fiber terminates: normally, or exceptionally with its failure.
     * Completing or cancelling the returned future does not affect the fiber.
     *
     * @return a new dependent future
     */
    public CompletableFuture<Void> onTermination() {
        return termination.copy();
    }

    @Override
    public String toString() {
        return "Fiber[#" + id + ",'" + name + "'," + state() + "]";
    }

    // ------------------------------------------------------------------------------------------
    // Package-private machinery used by the scheduler, workers and wait slots
    // ------------------------------------------------------------------------------------------

    /** Transition NEW→RUNNABLE (CAS) and first submission. */
    void start() {
        if (!STATE.compareAndSet(this, NEW, RUNNABLE)) {
            throw new IllegalStateException(this + " already started");
        }
        FiberStartEvent e = new FiberStartEvent();
        if (e.isEnabled()) {
            e.fiberId = id;
            e.fiberName = name;
            e.scheduler = scheduler.name();
            e.commit();
        }
        scheduler.submit(this);
    }

    /** Transition RUNNABLE→RUNNING by the worker about to run the fiber (CAS); the no-double-run assertion. */
    void mount(Worker worker) {
        if (!STATE.compareAndSet(this, RUNNABLE, RUNNING)) {
            throw scheduler.invariantViolated((worker == null ? "a driver thread" : "worker " + worker.index) + " found " + this
                    + " not RUNNABLE (state " + STATE.getVolatile(this) + "): it would run twice");
        }
        carrier = worker;
        if (suspendedAt != 0) {
            reportResumed();
        }
    }

    /** Emits the park and queue latencies of the suspension that just ended (JFR event enabled). */
    private void reportResumed() {
        long now = System.nanoTime();
        FiberResumedEvent e = new FiberResumedEvent();
        if (e.isEnabled() && resumedAt != 0) {
            e.fiberId = id;
            e.fiberName = name;
            e.parked = resumedAt - suspendedAt;
            e.queued = now - resumedAt;
            e.commit();
        }
        suspendedAt = 0;
        resumedAt = 0;
    }

    /**
     * Runs this RUNNABLE fiber on the calling thread until it suspends or ends, then runs its hook:
     * what a worker does, for schedulers whose fibers are driven by other threads (tests, jcstress).
     */
    void runOnCallingThread() {
        mount(null);
        runContinuation();
        afterRun();
    }

    void runContinuation() {
        continuation.run();
    }

    /** Whether the continuation finished (the worker has not terminated the fiber yet). */
    boolean isDone() {
        return continuation.isDone();
    }

    /** After {@code run()} returned: terminate, or mark YIELDED and run the post-switch hook. */
    void afterRun() {
        if (continuation.isDone()) {
            terminate();
            return;
        }
        SuspendHook h = hook;
        hook = null;
        if (new FiberResumedEvent().isEnabled()) {
            suspendedAt = System.nanoTime(); // published to the resumer by the CAS below
        }
        if (!STATE.compareAndSet(this, RUNNING, YIELDED)) {
            throw scheduler.invariantViolated(this + " changed state while running");
        }
        if (h == null) {
            scheduler.invariantViolated(this + " yielded without a post-switch hook");
            resume();
            return;
        }
        try {
            h.afterSuspend(this);
        } catch (Throwable t) {
            scheduler.hookFailed(this, t);
        }
    }

    /**
     * Transition YIELDED→RUNNABLE (CAS) and submission, by the post-switch hook or by the one waker
     * that won a {@link WaitSlot}. Any other state is an invariant violation (resumed twice, or
     * before its hook), except INSPECTING, which records the resume for {@code dump()} to do.
     */
    void resume() {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if (s == YIELDED) {
                if (STATE.compareAndSet(this, YIELDED, RUNNABLE)) {
                    if (suspendedAt != 0) {
                        resumedAt = System.nanoTime(); // published to the worker by the run queue
                    }
                    scheduler.submit(this);
                    return;
                }
            } else if (s == INSPECTING) {
                if (STATE.compareAndSet(this, INSPECTING, INSPECT_RESUMED)) {
                    return;
                }
            } else if (s == TERMINATED && scheduler.isStopping()) {
                return; // abandoned by a stopped scheduler (a service woke it while closing): nothing runs it
            } else {
                throw scheduler.invariantViolated(switch (s) {
                    case RUNNING -> "resume of " + this + " before its post-switch hook ran (it is still RUNNING)";
                    case RUNNABLE, INSPECT_RESUMED -> "resume of " + this + " that is already RUNNABLE: resumed twice";
                    case NEW -> "resume of " + this + " that was never started";
                    default -> "resume of " + this + " after it TERMINATED";
                });
            }
        }
    }

    /**
     * The scheduler stopped with this fiber live: it will never run again. Terminates it as cancelled,
     * so that joiners return, whatever state it is in.
     */
    void abandon(FiberCancelledException why) {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if (s == TERMINATED || s == RUNNING) {
                return; // ended, or still on a worker that did not stop (it ends there)
            }
            if (STATE.compareAndSet(this, s, TERMINATED)) {
                break;
            }
        }
        failure = why;
        locals = null;
        scheduler.fiberTerminated(this, why);
        termination.completeExceptionally(why);
    }

    /** Called by WaitSlot's hook path. */
    void resumeFromHook() {
        resume();
    }

    /** Called by the WaitSlot waker that replaced SUSPENDED. */
    void resumeFromWaker() {
        resume();
    }

    /** The stack of this fiber for dumps: frozen stack if suspended, the carrier's if running. */
    StackTraceElement[] stackTrace() {
        for (;;) {
            int s = (int) STATE.getVolatile(this);
            if (s == YIELDED) {
                if (STATE.compareAndSet(this, YIELDED, INSPECTING)) {
                    try {
                        return continuation.stackTrace();
                    } finally {
                        endInspection();
                    }
                }
            } else if (s == RUNNING) {
                Worker w = carrier;
                return w == null ? new StackTraceElement[0] : w.thread.getStackTrace();
            } else {
                return new StackTraceElement[0];
            }
        }
    }

    /** Transition INSPECTING→YIELDED (CAS), or INSPECT_RESUMED→RUNNABLE and submit the deferred resume. */
    private void endInspection() {
        if (!STATE.compareAndSet(this, INSPECTING, YIELDED)) {
            STATE.setVolatile(this, RUNNABLE); // INSPECT_RESUMED: only we move it on
            scheduler.submit(this);
        }
    }

    Worker lastCarrier() {
        return carrier;
    }

    void setWaitingOn(WaitSlot slot) {
        waitingOn = slot;
    }

    @SuppressWarnings("unchecked")
    <T> T localGet(int index, Supplier<? extends T> initial) {
        Object[] l = locals;
        Object v = l != null && index < l.length ? l[index] : UNSET;
        if (v == UNSET) {
            T init = initial == null ? null : initial.get();
            localSet(index, init);
            return init;
        }
        return (T) v;
    }

    void localSet(int index, Object value) {
        Object[] l = locals;
        if (l == null || index >= l.length) {
            int n = Math.max(8, Integer.highestOneBit(index) << 1);
            Object[] grown = l == null ? new Object[n] : Arrays.copyOf(l, n);
            Arrays.fill(grown, l == null ? 0 : l.length, n, UNSET);
            locals = l = grown;
        }
        l[index] = value;
    }

    void localRemove(int index) {
        Object[] l = locals;
        if (l != null && index < l.length) {
            l[index] = UNSET;
        }
    }

    static Fiber requireCurrent(String what) {
        Fiber f = current();
        if (f == null) {
            throw new IllegalStateException(what + " must be called from a fiber (the caller is thread '"
                    + Thread.currentThread().getName() + "'); start one with Fiber.spawn(...)");
        }
        return f;
    }

    static long deadlineAfter(Duration d) {
        Objects.requireNonNull(d, "duration");
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            nanos = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long nanosCapped = Math.min(nanos, Long.MAX_VALUE / 4); // keep now + nanos from overflowing
        return now + Math.max(nanosCapped, 0);
    }

    private void throwIfCancelled() {
        if (isCancelled()) {
            throw new FiberCancelledException(this + " was cancelled");
        }
    }

    private void waitForTermination() {
        Fiber caller = current();
        if (caller == this) {
            throw new IllegalStateException("a fiber cannot join itself");
        }
        if (caller != null) {
            Fiber.await(termination.handle((v, e) -> null));
        } else {
            try {
                termination.handle((v, e) -> null).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FiberCancelledException("interrupted while joining " + this);
            } catch (ExecutionException e) {
                throw new AssertionError(e); // handle() never fails
            }
        }
    }

    private void rethrowFailure() {
        if (!termination.isCompletedExceptionally()) {
            return;
        }
        Throwable t = failure;
        if (t instanceof FiberCancelledException fce) {
            throw new FiberCancelledException(this + " ended cancelled: " + fce.getMessage());
        }
        throw new CompletionException(this + " failed", t);
    }

    private void body() {
        try {
            if (isCancelled()) {
                throw new FiberCancelledException(this + " was cancelled before it started");
            }
            task.run();
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void terminate() {
        STATE.setVolatile(this, TERMINATED);
        locals = null;
        Throwable t = failure;
        FiberEndEvent e = new FiberEndEvent();
        if (e.isEnabled()) {
            e.fiberId = id;
            e.fiberName = name;
            e.failure = t == null ? null : t.getClass().getName();
            e.commit();
        }
        scheduler.fiberTerminated(this, t);
        if (t == null) {
            termination.complete(null);
        } else {
            termination.completeExceptionally(t);
        }
    }
}
