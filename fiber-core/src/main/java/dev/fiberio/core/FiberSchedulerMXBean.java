package dev.fiberio.core;

/**
 * The JMX view of a {@link FiberScheduler}, registered by {@link FiberSchedulerMBeans#register} under
 * {@code dev.fiberio:type=FiberScheduler,name=<scheduler name>}. Every attribute is read when asked
 * (no sampling); counts that several threads change are snapshots that may be a moment old.
 */
public interface FiberSchedulerMXBean {
    /**
     * The scheduler's name.
     *
     * @return {@link FiberScheduler#name()}
     */
    String getName();

    /**
     * The number of worker threads.
     *
     * @return {@link FiberScheduler#workerCount()}
     */
    int getWorkerCount();

    /**
     * Fibers started and not yet terminated.
     *
     * @return {@link FiberScheduler#liveFibers()}
     */
    int getLiveFibers();

    /**
     * Fibers started since the scheduler was created (a counter).
     *
     * @return {@link FiberScheduler#spawnedFibers()}
     */
    long getSpawnedFibers();

    /**
     * Runs of a fiber on a worker that have ended (by a suspension or termination), summed over the
     * workers: a counter whose rate is the scheduler's switch rate.
     *
     * @return the number of completed runs
     */
    long getFiberRuns();

    /**
     * Completed runs per regular worker, in worker order (runs on spare workers, which stand in for
     * workers blocked by pinned fibers, count in {@link #getFiberRuns()} only).
     *
     * @return one counter per worker
     */
    long[] getFiberRunsPerWorker();

    /**
     * Fibers waiting in the workers' run queues for a worker (approximate while they change).
     *
     * @return the number of queued runnable fibers
     */
    int getQueuedFibers();

    /**
     * Workers that have nothing to run (parked, or polling for I/O).
     *
     * @return the number of idle workers
     */
    int getIdleWorkers();

    /**
     * Broken internal invariants found (always 0 unless fiberio has a bug).
     *
     * @return {@link FiberScheduler#invariantViolations()}
     */
    long getInvariantViolations();

    /**
     * Whether the scheduler is closing or closed.
     *
     * @return {@link FiberScheduler#isClosed()}
     */
    boolean isClosed();

    /**
     * Every live fiber with its state and stack, as text.
     *
     * @return {@link FiberScheduler#dump()}
     */
    String dump();

    /**
     * Every live fiber with its state and stack, in the JSON shape of the JDK's thread dump, for tools
     * that read {@code jcmd <pid> Thread.dump_to_file -format=json} output.
     *
     * @return {@link FiberScheduler#dumpJson()}
     */
    String dumpJson();
}
