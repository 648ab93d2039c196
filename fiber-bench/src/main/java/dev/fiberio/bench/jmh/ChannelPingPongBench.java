package dev.fiberio.bench.jmh;

import dev.fiberio.core.FiberScheduler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * A ping-pong over two rendezvous channels with two workers: two fibers and two capacity-0
 * {@link dev.fiberio.core.sync.FiberChannel}s on a two-worker scheduler, against two virtual threads (two
 * carriers) and two platform threads with {@link java.util.concurrent.SynchronousQueue}s. Each
 * invocation runs {@value #ROUNDS} round trips. Score: nanoseconds per round trip.
 */
@Fork(value = 1, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.NATIVE_ACCESS, BenchFlags.HEAP_MIN,
        BenchFlags.HEAP_MAX, BenchFlags.VT_TWO_CARRIERS})
public class ChannelPingPongBench extends SchedulerBench {
    /** Round trips per invocation. */
    public static final int ROUNDS = 10_000;

    @Override
    protected int workers() {
        return 2;
    }

    /**
     * fiberio: two fibers, two {@code FiberChannel(0)}.
     *
     * @return round trips done
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long fiberio() {
        return fiberChannels(scheduler, ROUNDS);
    }

    /**
     * JDK virtual threads with {@code SynchronousQueue}.
     *
     * @return round trips done
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long virtualThread() {
        return threadQueues(Thread.ofVirtual(), ROUNDS);
    }

    /**
     * Platform threads with {@code SynchronousQueue}.
     *
     * @return round trips done
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long platformThread() {
        return threadQueues(Thread.ofPlatform(), ROUNDS);
    }

    /** {@code rounds} round trips between two fibers over channels; returns the count done. */
    static long fiberChannels(FiberScheduler scheduler, int rounds) {
        Rendezvous ping = Rendezvous.channel();
        Rendezvous pong = Rendezvous.channel();
        long[] done = new long[1];
        Contenders.runPair(scheduler, () -> Rendezvous.serve(ping, pong, rounds),
                () -> done[0] = Rendezvous.drive(ping, pong, rounds));
        return done[0];
    }

    /** {@code rounds} round trips between two threads over synchronous queues; returns the count done. */
    static long threadQueues(Thread.Builder builder, int rounds) {
        Rendezvous ping = Rendezvous.synchronousQueue();
        Rendezvous pong = Rendezvous.synchronousQueue();
        long[] done = new long[1];
        Contenders.runPair(builder, () -> Rendezvous.serve(ping, pong, rounds),
                () -> done[0] = Rendezvous.drive(ping, pong, rounds));
        return done[0];
    }
}
