package dev.fiberio.bench.jmh;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * One yield and the resume that follows, on one worker: a fiber calling {@link Fiber#yield()} on a
 * one-worker scheduler, a virtual thread calling {@link Thread#yield()} with one carrier, and a
 * platform thread calling {@link Thread#yield()} ({@code sched_yield}). Each invocation runs
 * {@value #YIELDS} yields in a fresh fiber/thread and joins it, so start and join are amortised to
 * well under 1% of the score. Score: nanoseconds per yield.
 */
@Fork(value = 1, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.NATIVE_ACCESS, BenchFlags.HEAP_MIN,
        BenchFlags.HEAP_MAX, BenchFlags.VT_ONE_CARRIER})
public class YieldBench extends SchedulerBench {
    /** Yields per invocation. */
    public static final int YIELDS = 100_000;

    @Override
    protected int workers() {
        return 1;
    }

    /**
     * fiberio: {@link Fiber#yield()} on a one-worker scheduler.
     *
     * @return yields done
     */
    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public long fiberio() {
        return fiberYields(scheduler, YIELDS);
    }

    /**
     * JDK virtual thread: {@link Thread#yield()} with one carrier.
     *
     * @return yields done
     */
    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public long virtualThread() {
        return threadYields(Thread.ofVirtual(), YIELDS);
    }

    /**
     * Platform thread: {@link Thread#yield()}.
     *
     * @return yields done
     */
    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public long platformThread() {
        return threadYields(Thread.ofPlatform(), YIELDS);
    }

    /** Yields {@code n} times in a new fiber of {@code scheduler}; returns the count done. */
    static long fiberYields(FiberScheduler scheduler, int n) {
        long[] done = new long[1];
        scheduler.spawn(() -> {
            for (int i = 0; i < n; i++) {
                Fiber.yield();
                done[0]++;
            }
        }).join(); // join orders the fiber's writes before the read below
        return done[0];
    }

    /** Yields {@code n} times in a new thread from {@code builder}; returns the count done. */
    static long threadYields(Thread.Builder builder, int n) {
        long[] done = new long[1];
        Contenders.runAndJoin(builder, () -> {
            for (int i = 0; i < n; i++) {
                Thread.yield();
                done[0]++;
            }
        });
        return done[0];
    }
}
