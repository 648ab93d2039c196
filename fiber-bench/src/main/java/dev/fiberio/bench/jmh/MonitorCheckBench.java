package dev.fiberio.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * What detecting a monitor held across a suspension costs: {@link dev.fiberio.core.Fiber#yield()} on
 * one worker (the cheapest suspension, so the detector's share is the largest) with each of fiber-core's
 * detectors. {@code unchecked}: no detection ({@code -Dfiberio.monitors=unchecked}); {@code walk}: a live
 * stack walk of the fiber's frames per suspension ({@code --add-opens java.base/java.lang}); {@code jvm}:
 * the JVM refuses the freeze itself ({@code -XX:LockingMode=1}, JDK 25). Score: nanoseconds per yield.
 */
public class MonitorCheckBench extends SchedulerBench {
    /** Yields per invocation. */
    public static final int YIELDS = 20_000;

    @Override
    protected int workers() {
        return 1;
    }

    /**
     * No detection.
     *
     * @return yields done
     */
    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.NATIVE_ACCESS, BenchFlags.HEAP_MIN,
            BenchFlags.HEAP_MAX, "-Dfiberio.monitors=unchecked"})
    public long unchecked() {
        return YieldBench.fiberYields(scheduler, YIELDS);
    }

    /**
     * A stack walk per suspension.
     *
     * @return yields done
     */
    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.ADD_OPENS, BenchFlags.NATIVE_ACCESS,
            BenchFlags.HEAP_MIN, BenchFlags.HEAP_MAX, "-Dfiberio.monitors=walk"})
    public long walk() {
        return YieldBench.fiberYields(scheduler, YIELDS);
    }

    /**
     * The JVM's own check (legacy locking mode).
     *
     * @return yields done
     */
    @Benchmark
    @OperationsPerInvocation(YIELDS)
    @Fork(value = 1, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.NATIVE_ACCESS, BenchFlags.HEAP_MIN,
            BenchFlags.HEAP_MAX, "-XX:LockingMode=1"})
    public long jvm() {
        return YieldBench.fiberYields(scheduler, YIELDS);
    }
}
