package dev.fiberio.core;

/** The MXBean of one scheduler: reads its counters and its workers' when asked. */
final class SchedulerMXBeanImpl implements FiberSchedulerMXBean {
    private final FiberScheduler scheduler;

    SchedulerMXBeanImpl(FiberScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public String getName() {
        return scheduler.name();
    }

    @Override
    public int getWorkerCount() {
        return scheduler.workerCount();
    }

    @Override
    public int getLiveFibers() {
        return scheduler.liveFibers();
    }

    @Override
    public long getSpawnedFibers() {
        return scheduler.spawnedFibers();
    }

    @Override
    public long getFiberRuns() {
        long sum = 0;
        for (Worker w : scheduler.workers) {
            sum += w.runSequence();
        }
        return sum;
    }

    @Override
    public long[] getFiberRunsPerWorker() {
        Worker[] workers = scheduler.workers;
        long[] runs = new long[scheduler.workerCount()]; // the regular workers; spares count in FiberRuns
        for (int i = 0; i < runs.length; i++) {
            runs[i] = workers[i].runSequence();
        }
        return runs;
    }

    @Override
    public int getQueuedFibers() {
        int sum = 0;
        for (Worker w : scheduler.workers) {
            sum += w.queue.size();
        }
        return sum;
    }

    @Override
    public int getIdleWorkers() {
        return scheduler.idleWorkers.get();
    }

    @Override
    public long getInvariantViolations() {
        return scheduler.invariantViolations();
    }

    @Override
    public boolean isClosed() {
        return scheduler.isClosed();
    }

    @Override
    public String dump() {
        return scheduler.dump();
    }

    @Override
    public String dumpJson() {
        return scheduler.dumpJson();
    }
}
