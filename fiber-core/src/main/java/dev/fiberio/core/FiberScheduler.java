package dev.fiberio.core;

import dev.fiberio.core.spi.WaitSlot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs fibers on a fixed set of worker threads.
 *
 * <pre>{@code
 * try (FiberScheduler s = FiberScheduler.builder().workers(4).name("app").build()) {
 *     Fiber f = s.spawn(() -> handle(connection));
 *     f.join();
 * }   // close(): waits for the fibers (bounded), cancels stragglers, joins the workers
 * }</pre>
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>Each {@link Worker} has a bounded multi-producer multi-consumer run queue ({@link RunQueue});
 *       a full one spills into the shared {@code overflow} queue, and while that holds any fiber,
 *       newcomers queue behind them there (arrival order under overload). A fiber resumed by a worker
 *       thread goes onto that worker's own queue (hot in its cache, no wake-up needed); resumed by
 *       another thread (a poller, a timer of a platform thread, an application thread), it goes onto
 *       the queue of the worker that ran it last, which is unparked if it sleeps. Idle workers steal.
 *       At most one sleeping worker is woken per submission, and none while another worker is
 *       spinning (it will find the work).</li>
 *   <li>{@code idleWorkers} and {@code spinningWorkers} are atomic counters maintained by the workers;
 *       submitters read them (volatile) to decide whether to wake a helper.</li>
 *   <li>{@code live} holds every started, unterminated fiber (for {@link #dump()} and {@link #close()}).</li>
 *   <li>{@code lifecycle}: OPEN → CLOSING (no new fibers; waiting for live ones) → STOPPING (workers
 *       exit) → CLOSED. Only {@link #close()} moves it, once.</li>
 *   <li>Services ({@link #service}) are per-scheduler singletons such as an I/O poller group, closed
 *       after the workers stopped.</li>
 * </ul>
 */
public final class FiberScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FiberScheduler.class);
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int STOPPING = 2;
    private static final int CLOSED = 3;

    /** The regular workers first, then as many spare (compensating) workers; see {@link Worker}. */
    final Worker[] workers;
    /** How many of {@link #workers} are regular. */
    private final int regularWorkers;
    /**
     * Workers that cannot run fibers right now (a pinned wait, or a thread the JVM blocked while running a
     * fiber), each counted once ({@link Worker#blocked}); spare {@code k} runs while this exceeds {@code k}.
     */
    private final AtomicInteger blockedCount = new AtomicInteger();
    final AtomicInteger idleWorkers = new AtomicInteger();
    final AtomicInteger spinningWorkers = new AtomicInteger();

    private final String name;
    private final BiConsumer<Fiber, Throwable> uncaughtHandler;
    private final Duration shutdownTimeout;
    private final Map<Long, Fiber> live = new ConcurrentHashMap<>();
    /** Fibers that did not fit in a worker's run queue; any worker takes from it. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Fiber> overflow = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Map<Object, AutoCloseable> services = Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    private final AtomicInteger lifecycle = new AtomicInteger(OPEN);
    private final AtomicInteger nextWorker = new AtomicInteger();
    private final AtomicLong violations = new AtomicLong();
    private final AtomicLong spawned = new AtomicLong();
    private final CountDownLatch workersExited;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final Watchdog watchdog;
    private final BlockingPool blocking;
    /** Pollers driven by idle workers; copy-on-write, read with a volatile load. */
    private volatile AttachedPoller[] attachedPollers = new AttachedPoller[0];
    private final AtomicInteger nextPoller = new AtomicInteger();

    /** Timers armed by hooks of a manual scheduler's fibers (unused by worker-driven schedulers). */
    private final TimerQueue manualTimers = new TimerQueue();

    /** Non-null for a {@linkplain #manual manual} scheduler: receives every submitted fiber. */
    private final java.util.function.Consumer<Fiber> manualSink;
    /** False for an {@linkplain #unstarted unstarted} scheduler: no worker or watchdog thread ever starts. */
    final boolean startsThreads;

    private FiberScheduler(String name, java.util.function.Consumer<Fiber> manualSink) {
        this.name = name;
        this.uncaughtHandler = (f, t) -> LOG.error("uncaught exception in {}", f, t);
        this.shutdownTimeout = Duration.ofSeconds(1);
        this.blocking = new BlockingPool(name, 1);
        this.workers = new Worker[0];
        this.regularWorkers = 0;
        this.workersExited = new CountDownLatch(0);
        this.watchdog = null;
        this.manualSink = manualSink;
        this.startsThreads = false;
    }

    /**
     * A scheduler without workers whose submitted (resumed) fibers go to {@code sink}; the caller runs
     * them with {@code Fiber.runOnCallingThread()}. For tests and jcstress, which drive the
     * handshake from threads of their own.
     */
    static FiberScheduler manual(String name, java.util.function.Consumer<Fiber> sink) {
        return new FiberScheduler(name, Objects.requireNonNull(sink, "sink"));
    }

    /**
     * A scheduler with {@code workers} regular workers and as many spares whose threads never start (a
     * worker "started" is only marked so), and no watchdog: for jcstress, whose actors play the workers
     * by calling their non-blocking steps on the real fields.
     */
    static FiberScheduler unstarted(String name, int workers) {
        Builder b = builder().name(name).workers(workers).watchdogThreshold(Duration.ZERO);
        b.startsThreads = false;
        return new FiberScheduler(b);
    }

    private FiberScheduler(Builder b) {
        this.manualSink = null;
        this.startsThreads = b.startsThreads;
        this.name = b.name;
        this.uncaughtHandler = b.uncaughtHandler;
        this.shutdownTimeout = b.shutdownTimeout;
        this.blocking = new BlockingPool(b.name, b.blockingThreads);
        this.regularWorkers = b.workers;
        this.workers = new Worker[2 * b.workers];
        for (int i = 0; i < b.workers; i++) {
            workers[i] = new Worker(this, i, -1, "fiberio-" + name + "-worker-" + i, b.daemon);
        }
        for (int k = 0; k < b.workers; k++) {
            int i = b.workers + k;
            workers[i] = new Worker(this, i, k, "fiberio-" + name + "-spare-" + k, b.daemon);
        }
        this.workersExited = new CountDownLatch(b.workers);
        MonitorPolicy.reportOnce(LOG);
        for (int i = 0; i < b.workers; i++) {
            workers[i].start();
        }
        this.watchdog = b.watchdogThreshold.isZero() ? null : new Watchdog(this, b.watchdogThreshold);
        if (watchdog != null) {
            watchdog.start();
        }
    }

    /**
     * A builder with defaults: one worker per available processor, name "fiberio", watchdog at
     * 200 ms, uncaught exceptions logged, daemon workers, 10 s shutdown bound, 64 blocking threads.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The scheduler used by {@link Fiber#spawn(Runnable)} outside a fiber; created on first use with
     * the builder's defaults (name "default").
     *
     * @return the default scheduler
     */
    public static FiberScheduler defaultScheduler() {
        return DefaultHolder.INSTANCE;
    }

    private static final class DefaultHolder {
        static final FiberScheduler INSTANCE = builder().name("default").build();
    }

    /**
     * Starts a fiber running {@code task}.
     *
     * @param task the code to run
     * @return the started fiber
     * @throws RejectedExecutionException if the scheduler is closing or closed
     */
    public Fiber spawn(Runnable task) {
        return spawn(null, task);
    }

    /**
     * Starts a named fiber running {@code task}.
     *
     * @param name the fiber's name, or null for {@code fiber-<id>}
     * @param task the code to run
     * @return the started fiber
     * @throws RejectedExecutionException if the scheduler is closing or closed
     */
    public Fiber spawn(String name, Runnable task) {
        Objects.requireNonNull(task, "task");
        Fiber f = new Fiber(this, name, task);
        live.put(f.id(), f);
        if (lifecycle.get() != OPEN) {
            live.remove(f.id());
            if (live.isEmpty()) {
                drained.complete(null);
            }
            throw new RejectedExecutionException("scheduler '" + this.name + "' is closed");
        }
        spawned.incrementAndGet();
        f.start();
        return f;
    }

    /**
     * An {@link Executor} that runs each task in a new fiber of this scheduler.
     *
     * @return the executor view
     */
    public Executor executor() {
        return this::spawn;
    }

    /**
     * The scheduler's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The number of worker threads.
     *
     * @return the worker count
     */
    public int workerCount() {
        return regularWorkers;
    }

    /**
     * The number of fibers started and not yet terminated.
     *
     * @return the live fiber count
     */
    public int liveFibers() {
        return live.size();
    }

    /**
     * The number of fibers started since creation.
     *
     * @return the spawned count
     */
    public long spawnedFibers() {
        return spawned.get();
    }

    /**
     * How often an internal invariant (a fiber run twice, or resumed before its post-switch hook) was
     * found broken; always 0 unless fiberio has a bug. Tests assert it.
     *
     * @return the violation count
     */
    public long invariantViolations() {
        return violations.get();
    }

    /**
     * Whether {@link #close()} has begun.
     *
     * @return true once closing
     */
    public boolean isClosed() {
        return lifecycle.get() != OPEN;
    }

    /**
     * A per-scheduler singleton, created on first request and closed when the scheduler closes (after
     * its workers stopped, in reverse creation order). Backends reach it through FiberSpi (a poller group per
     * scheduler).
     *
     * @param key     identifies the service
     * @param factory creates it on first request
     * @param <T>     its type
     * @return the service
     * @throws RejectedExecutionException if the scheduler is closing or closed
     */
    @SuppressWarnings("unchecked")
    <T extends AutoCloseable> T service(Object key, Function<FiberScheduler, T> factory) {
        synchronized (services) {
            if (lifecycle.get() >= STOPPING) {
                throw new RejectedExecutionException("scheduler '" + name + "' is closed");
            }
            AutoCloseable s = services.get(key);
            if (s == null) {
                s = factory.apply(this);
                services.put(key, s);
            }
            return (T) s;
        }
    }

    /**
     * Backends reach this through FiberSpi: lets this scheduler's idle workers drive {@code poller} themselves. A worker
     * with nothing to run takes the poller and blocks in {@code poll} (with the timeout of its next
     * timer) instead of parking; a busy worker also polls it without blocking every few dozen fibers, so
     * events are not left waiting while all workers are busy. Fibers resumed by its events go to the
     * polling worker's own run queue. The caller still owns {@code poller} and closes it, typically as a
     * {@linkplain #service service} of this scheduler (closed after the workers stopped).
     *
     * @param poller the poller; called by at most one worker at a time
     */
    void attachPoller(dev.fiberio.core.spi.Poller poller) {
        attach(poller, -1);
    }

    /**
     * Backends reach this through FiberSpi: attaches {@code poller} as the own poller of regular worker {@code worker}
     * (0 ≤ worker &lt; {@link #workerCount()}): that worker alone drives it, blocking in it when idle and
     * polling it without blocking every few dozen fibers, so the completions of the sockets it serves
     * resume their fibers on that worker. A spare worker with no poller of its own, compensating while
     * a worker is blocked, may drive a free one. The caller owns and closes {@code poller}, as with
     * {@link #attachPoller(dev.fiberio.core.spi.Poller)}.
     *
     * @param poller the poller
     * @param worker the index of the regular worker it belongs to
     * @throws IllegalArgumentException if there is no such regular worker
     */
    void attachPoller(dev.fiberio.core.spi.Poller poller, int worker) {
        if (worker < 0 || worker >= regularWorkers) {
            throw new IllegalArgumentException("no regular worker " + worker + " (workers: " + regularWorkers + ")");
        }
        attach(poller, worker);
    }

    private void attach(dev.fiberio.core.spi.Poller poller, int home) {
        Objects.requireNonNull(poller, "poller");
        synchronized (services) {
            AttachedPoller[] old = attachedPollers;
            AttachedPoller[] grown = java.util.Arrays.copyOf(old, old.length + 1);
            grown[old.length] = new AttachedPoller(poller, home);
            attachedPollers = grown;
        }
        for (Worker w : workers) {
            w.wakeIfParked(); // a parked worker may now poll instead
        }
    }

    /**
     * The index of the regular worker running the caller (a fiber's current carrier, or a worker
     * thread outside fibers), for backends that keep state per worker; -1 on any other thread and on
     * spare workers. Inside a fiber it is only a hint: the fiber may run on another worker after its
     * next suspension.
     *
     * @return the index, or -1
     */
    static int currentWorkerIndex() {
        Worker w = Worker.current();
        return w == null || w.spare >= 0 ? -1 : w.index;
    }

    /**
     * A free attached poller that {@code w} may drive, taken by the caller, or null: its own poller if
     * it has one (a regular worker with a poller of its own drives no other), else a free shared one,
     * else (a spare) any free one.
     */
    AttachedPoller acquirePoller(Worker w) {
        AttachedPoller[] all = attachedPollers;
        int n = all.length;
        if (n == 0) {
            return null;
        }
        boolean ownSeen = false;
        for (AttachedPoller p : all) {
            if (p.home >= 0 && p.home == w.index && w.spare < 0) {
                ownSeen = true;
                if (p.tryAcquire()) {
                    return p;
                }
            }
        }
        if (ownSeen) {
            return null;
        }
        int start = n == 1 ? 0 : Math.floorMod(nextPoller.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            AttachedPoller p = all[(start + i) % n];
            if ((p.home < 0 || w.spare >= 0) && p.tryAcquire()) {
                return p;
            }
        }
        return null;
    }

    boolean hasAttachedPollers() {
        return attachedPollers.length > 0;
    }

    /**
     * A snapshot of the live fibers, ordered by id, each with its state and stack.
     *
     * @return the snapshot
     */
    public List<FiberInfo> fibers() {
        return FiberDump.snapshot(live.values());
    }

    /**
     * A human-readable listing of the live fibers with id, name, state and stack trace.
     *
     * @return the dump
     */
    public String dump() {
        return FiberDump.text(name, regularWorkers, fibers());
    }

    /**
     * The live fibers in the JSON shape of the JDK's thread dump ({@code jcmd <pid> Thread.dump_to_file
     * -format=json}): one thread container for this scheduler, whose threads are its fibers.
     *
     * @return the JSON document
     */
    public String dumpJson() {
        return FiberDump.json(name, fibers());
    }

    /**
     * Shuts down gracefully: stops accepting fibers, waits up to the shutdown timeout for live fibers to
     * end, cancels the rest and waits again as long, then stops and joins the workers and closes the
     * services and the blocking pool. Idempotent; a second caller waits for the first.
     *
     * @throws IllegalStateException if called from a fiber of this scheduler
     */
    @Override
    public void close() {
        Fiber cur = Fiber.current();
        if (cur != null && cur.scheduler() == this) {
            throw new IllegalStateException("a fiber cannot close its own scheduler; close it from a thread");
        }
        if (!lifecycle.compareAndSet(OPEN, CLOSING)) {
            awaitQuietly(workersExited, shutdownTimeout.multipliedBy(3));
            return;
        }
        if (live.isEmpty()) {
            drained.complete(null);
        }
        if (!awaitDrained(shutdownTimeout)) {
            LOG.info("scheduler '{}': cancelling {} fibers still running after {}", name, live.size(), shutdownTimeout);
            for (Fiber f : live.values()) {
                f.cancel();
            }
            if (!awaitDrained(shutdownTimeout)) {
                LOG.warn("scheduler '{}': {} fibers did not end after cancellation; stopping workers anyway\n{}",
                        name, live.size(), dump());
            }
        }
        lifecycle.set(STOPPING);
        for (Worker w : workers) {
            w.kick();
        }
        if (!awaitQuietly(workersExited, shutdownTimeout)) {
            LOG.warn("scheduler '{}': a worker did not stop within {} (a fiber that never suspends?)", name, shutdownTimeout);
        }
        for (int i = regularWorkers; i < workers.length; i++) {
            if (workers[i].isStarted()) {
                try {
                    workers[i].thread.join(shutdownTimeout.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (watchdog != null) {
            watchdog.stop();
        }
        List<AutoCloseable> toClose;
        synchronized (services) {
            toClose = new ArrayList<>(services.values());
            services.clear();
        }
        Collections.reverse(toClose);
        for (AutoCloseable s : toClose) {
            try {
                s.close();
            } catch (Exception e) {
                LOG.warn("scheduler '{}': closing service {} failed", name, s, e);
            }
        }
        blocking.shutdown();
        abandonLiveFibers();
        lifecycle.set(CLOSED);
    }

    /**
     * No worker runs any more: a fiber still live (it ignored cancellation, or was resumed after the
     * workers stopped, e.g. by a service closing its sockets) will never run again. Its joiners are told
     * so instead of waiting forever.
     */
    private void abandonLiveFibers() {
        for (Fiber f : new ArrayList<>(live.values())) {
            f.abandon(new FiberCancelledException("scheduler '" + name + "' closed before " + f + " ended"));
        }
    }

    @Override
    public String toString() {
        return "FiberScheduler[" + name + ", workers=" + regularWorkers + ", live=" + live.size() + "]";
    }

    // ------------------------------------------------------------------------------------------
    // Package-private machinery
    // ------------------------------------------------------------------------------------------

    /** Puts a RUNNABLE fiber on a run queue and wakes at most one worker. */
    void submit(Fiber f) {
        if (manualSink != null) {
            manualSink.accept(f);
            return;
        }
        Worker self = Worker.current();
        if (self != null && self.scheduler == this) {
            enqueue(self, f);
            wakeIdleHelper(self);
            return;
        }
        Worker target = f.lastCarrier();
        if (target == null || !target.acceptsWork()) {
            target = anyRegularWorker();
        }
        enqueue(target, f);
        if (!target.wakeIfParked()) {
            wakeIdleHelper(target);
        }
    }

    /**
     * A regular worker in turn, preferring one that is not blocked (a pinned or JVM-blocked worker's queue
     * waits for a spare to steal it); a blocked one if all are.
     */
    private Worker anyRegularWorker() {
        Worker w = null;
        for (int i = 0; i < regularWorkers; i++) {
            w = workers[Math.floorMod(nextWorker.getAndIncrement(), regularWorkers)];
            if (w.acceptsWork()) {
                return w;
            }
        }
        return w;
    }

    /**
     * Queues {@code f} on {@code w}'s run queue, unless fibers wait in the overflow queue already: then
     * behind them. A newcomer that went onto a worker's queue would run before every fiber waiting in the
     * overflow, which a busy worker serves only every {@link Worker#OVERFLOW_FAIRNESS} runs; under
     * overload (more runnable fibers than a queue holds, as at 10,000 busy connections) those would wait
     * for many rounds while the ones on the queue take turns. Behind them, each fiber runs once per round.
     */
    private void enqueue(Worker w, Fiber f) {
        if (!overflow.isEmpty() || !w.queue.offer(f)) {
            overflow.offer(f);
        }
    }

    void overflowOffer(Fiber f) {
        overflow.offer(f);
    }

    /** Whether spare worker {@code w} has a blocked worker to compensate for. */
    boolean spareEnabled(Worker w) {
        return blockedCount.get() > w.spare;
    }

    /**
     * A fiber starts a pinned wait on its carrier: spare workers compensate while it lasts, so the
     * scheduler keeps its parallelism. Returns what to run when the wait ends.
     */
    Runnable pinnedWaitBegins(Fiber fiber) {
        Worker w = fiber.lastCarrier();
        if (manualSink != null || w == null) {
            return () -> { };
        }
        w.pinned = fiber;
        w.blocked(Worker.PINNED_WAIT);
        return () -> {
            w.pinned = null;
            w.unblocked(Worker.PINNED_WAIT);
        };
    }

    /** One more worker is blocked ({@link Worker#blocked}): let one more spare run. */
    void compensationBegins() {
        int n = blockedCount.incrementAndGet();
        if (n >= 1 && n <= workers.length - regularWorkers) { // below 1: an end counted before its begin
            workers[regularWorkers + n - 1].enableSpare();
        }
    }

    /**
     * Whether a worker looking for work may get some from another worker soon, so that a brief spin can
     * pay: there is more than one regular worker, or a spare runs for a blocked one.
     */
    boolean anotherWorkerMayHandOff() {
        return regularWorkers > 1 || blockedCount.get() > 0;
    }

    /** How many workers count as blocked now (each once, whatever the reasons). */
    int blockedWorkers() {
        return blockedCount.get();
    }

    void compensationEnds() {
        blockedCount.decrementAndGet();
    }

    /**
     * Arms the deadline timer of a wait, from the post-switch hook: on the hook's worker, or on the
     * timer queue of a {@linkplain #manual manual} scheduler, whose driver fires it ({@link #manualTimers()}).
     */
    TimerQueue.Entry armTimer(long deadline, WaitSlot slot, long episode) {
        if (manualSink != null) {
            return manualTimers.schedule(deadline, slot, episode);
        }
        return Worker.armTimer(deadline, slot, episode);
    }

    /**
     * The timers of a manual scheduler: the threads driving it fire them with
     * {@code manualTimers().expire(now)} or {@code tryExpire(now)}, as workers do.
     */
    TimerQueue manualTimers() {
        return manualTimers;
    }

    /** The earliest timer deadline of all workers, or {@code Long.MAX_VALUE}. */
    long earliestTimer() {
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (Worker w : workers) {
            long e = w.timers.earliest();
            if (e != Long.MAX_VALUE && (!any || e - min < 0)) {
                min = e;
                any = true;
            }
        }
        return min;
    }

    /** An idle worker fires the due timers of the others (those busy with a long run among them). */
    void expireForeignTimers(Worker self, long now) {
        for (Worker w : workers) {
            if (w != self) {
                w.timers.tryExpire(now);
            }
        }
    }

    /** A fiber from the shared overflow queue, or null. */
    Fiber pollOverflow() {
        return overflow.isEmpty() ? null : overflow.poll();
    }

    /**
     * Wakes one idle worker other than {@code busy} to steal, unless none is idle or one is already
     * spinning (it will find the work).
     */
    void wakeIdleHelper(Worker busy) {
        if (idleWorkers.get() == 0 || spinningWorkers.get() != 0) {
            return;
        }
        for (Worker w : workers) {
            if (w != busy && w.wakeIfParked()) {
                return;
            }
        }
    }

    boolean hasQueuedWork() {
        if (!overflow.isEmpty()) {
            return true;
        }
        for (Worker w : workers) {
            if (!w.queue.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    boolean isStopping() {
        return lifecycle.get() >= STOPPING;
    }

    void workerExited(Worker w) {
        if (w.spare < 0) {
            workersExited.countDown();
        }
    }

    void fiberTerminated(Fiber f, Throwable failure) {
        live.remove(f.id());
        if (failure != null && !(failure instanceof FiberCancelledException)) {
            try {
                uncaughtHandler.accept(f, failure);
            } catch (Throwable t) {
                LOG.error("uncaught-exception handler of scheduler '{}' failed for {}", name, f, t);
            }
        }
        if (lifecycle.get() != OPEN && live.isEmpty()) {
            drained.complete(null);
        }
    }

    IllegalStateException invariantViolated(String what) {
        violations.incrementAndGet();
        IllegalStateException e = new IllegalStateException("fiberio invariant violated: " + what);
        LOG.error("scheduler '{}': {}", name, e.getMessage(), e);
        return e;
    }

    void pollFailed(dev.fiberio.core.spi.Poller poller, Throwable t) {
        LOG.error("scheduler '{}': polling {} failed", name, poller, t);
    }

    void hookFailed(Fiber f, Throwable t) {
        violations.incrementAndGet();
        LOG.error("scheduler '{}': post-switch hook of {} threw; the fiber may never resume", name, f, t);
    }

    ExecutorService blockingPool() {
        if (lifecycle.get() >= STOPPING) {
            throw new RejectedExecutionException("scheduler '" + name + "' is closed");
        }
        return blocking.executor();
    }

    private boolean awaitDrained(Duration timeout) {
        try {
            drained.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A snapshot of one live fiber, from {@link #fibers()}.
     *
     * @param id    the fiber's id
     * @param name  its name
     * @param state its state when the snapshot was taken
     * @param stack its stack trace, innermost frame first
     */
    public record FiberInfo(long id, String name, FiberState state, List<StackTraceElement> stack) {
        /**
         * Creates a snapshot.
         *
         * @param id    the fiber's id
         * @param name  its name
         * @param state its state when the snapshot was taken
         * @param stack its stack trace, innermost frame first
         */
        public FiberInfo {
            stack = List.copyOf(stack);
        }
    }

    /** Configures and builds a {@link FiberScheduler}. */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private String name = "fiberio";
        private Duration watchdogThreshold = Duration.ofMillis(200);
        private BiConsumer<Fiber, Throwable> uncaughtHandler =
                (f, t) -> LOG.error("uncaught exception in {}", f, t);
        private boolean daemon = true;
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private int blockingThreads = 64;
        private boolean startsThreads = true;

        private Builder() {
        }

        /**
         * Number of worker threads (default: available processors).
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder workers(int n) {
            if (n < 1 || n > 4096) {
                throw new IllegalArgumentException("workers must be in 1..4096, got " + n);
            }
            this.workers = n;
            return this;
        }

        /**
         * Name used in thread names, logs and dumps.
         *
         * @param name a non-empty name
         * @return this builder
         */
        public Builder name(String name) {
            if (Objects.requireNonNull(name, "name").isEmpty()) {
                throw new IllegalArgumentException("name must not be empty");
            }
            this.name = name;
            return this;
        }

        /**
         * A fiber that runs longer than this without suspending is logged with its stack (rate-limited).
         * {@link Duration#ZERO} disables the watchdog.
         *
         * @param threshold non-negative
         * @return this builder
         */
        public Builder watchdogThreshold(Duration threshold) {
            if (Objects.requireNonNull(threshold, "threshold").isNegative()) {
                throw new IllegalArgumentException("threshold must not be negative");
            }
            this.watchdogThreshold = threshold;
            return this;
        }

        /**
         * Receives exceptions that end a fiber (other than {@link FiberCancelledException}); default:
         * logged at ERROR through SLF4J. Runs on the worker where the fiber ended; must not block.
         *
         * @param handler the handler
         * @return this builder
         */
        public Builder uncaughtExceptionHandler(BiConsumer<Fiber, Throwable> handler) {
            this.uncaughtHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Whether workers are daemon threads (default true: they do not keep the JVM alive).
         *
         * @param daemon daemon flag
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * How long {@link #close()} waits for fibers before cancelling them, and again after.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder shutdownTimeout(Duration timeout) {
            if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /**
         * Threads of the blocking-offload pool used by {@link Fiber#blocking}.
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder blockingThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("blockingThreads must be at least 1, got " + n);
            }
            this.blockingThreads = n;
            return this;
        }

        /**
         * Builds and starts the scheduler.
         *
         * @return the running scheduler
         */
        public FiberScheduler build() {
            return new FiberScheduler(this);
        }
    }
}
