package dev.fiberio.bench.jmh;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * Spawn {@value #COUNT} fibers (virtual threads) from a platform thread, then join them all, with two
 * workers (carriers). Each task increments a {@link LongAdder}, so the work cannot be dropped and
 * the count is checked. Score: nanoseconds per spawned-and-joined fiber.
 */
@Fork(value = 1, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.NATIVE_ACCESS, BenchFlags.HEAP_MIN,
        BenchFlags.HEAP_MAX, BenchFlags.VT_TWO_CARRIERS})
public class SpawnJoinBench extends SchedulerBench {
    /** Fibers (threads) per invocation. */
    public static final int COUNT = 100_000;

    @Override
    protected int workers() {
        return 2;
    }

    /**
     * fiberio: spawn and join fibers.
     *
     * @return tasks that ran
     */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public long fiberio() {
        return spawnFibers(scheduler, COUNT);
    }

    /**
     * JDK virtual threads: start and join.
     *
     * @return tasks that ran
     */
    @Benchmark
    @OperationsPerInvocation(COUNT)
    public long virtualThread() {
        return startVirtualThreads(COUNT);
    }

    /** Spawns {@code n} fibers, joins them; returns how many ran. */
    static long spawnFibers(FiberScheduler scheduler, int n) {
        LongAdder ran = new LongAdder();
        Fiber[] fibers = new Fiber[n];
        for (int i = 0; i < n; i++) {
            fibers[i] = scheduler.spawn(ran::increment);
        }
        for (Fiber f : fibers) {
            f.join();
        }
        return ran.sum();
    }

    /** Starts {@code n} virtual threads, joins them; returns how many ran. */
    static long startVirtualThreads(int n) {
        LongAdder ran = new LongAdder();
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            threads[i] = Thread.ofVirtual().start(ran::increment);
        }
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining", e);
        }
        return ran.sum();
    }
}
