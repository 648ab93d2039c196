package dev.fiberio.bench.jmh;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * A park/unpark ping-pong between two parties with two workers: two fibers on a two-worker scheduler
 * ({@link Fiber#park()}/{@link Fiber#unpark()}), two virtual threads with two carriers and two
 * platform threads ({@link java.util.concurrent.locks.LockSupport}). Where the parties run is left to
 * each scheduler, as in an application. Each invocation runs {@value #ROUNDS} round trips. Score:
 * nanoseconds per round trip (two hand-overs).
 */
@Fork(value = 1, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.NATIVE_ACCESS, BenchFlags.HEAP_MIN,
        BenchFlags.HEAP_MAX, BenchFlags.VT_TWO_CARRIERS})
public class ParkPingPongBench extends SchedulerBench {
    /** Round trips per invocation. */
    public static final int ROUNDS = 10_000;

    @Override
    protected int workers() {
        return 2;
    }

    /**
     * fiberio: two fibers.
     *
     * @return round trips done
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long fiberio() {
        return fiberRally(scheduler, ROUNDS);
    }

    /**
     * JDK virtual threads with {@code LockSupport}.
     *
     * @return round trips done
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long virtualThread() {
        return threadRally(Thread.ofVirtual(), ROUNDS);
    }

    /**
     * Platform threads with {@code LockSupport}.
     *
     * @return round trips done
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long platformThread() {
        return threadRally(Thread.ofPlatform(), ROUNDS);
    }

    /** {@code rounds} round trips between two fibers of {@code scheduler}; returns the count done. */
    static long fiberRally(FiberScheduler scheduler, int rounds) {
        Rally<Fiber> rally = new Rally<>(Rally.FIBERS);
        Fiber pong = scheduler.spawn(() -> rally.pong(rounds));
        scheduler.spawn(() -> rally.ping(rounds, pong)).join();
        pong.join();
        return rally.completed();
    }

    /** {@code rounds} round trips between two threads from {@code builder}; returns the count done. */
    static long threadRally(Thread.Builder builder, int rounds) {
        Rally<Thread> rally = new Rally<>(Rally.THREADS);
        Thread pong = builder.start(() -> rally.pong(rounds));
        Contenders.runAndJoin(builder, () -> rally.ping(rounds, pong));
        try {
            pong.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining pong", e);
        }
        return rally.completed();
    }
}
