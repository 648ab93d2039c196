package dev.fiberio.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fiberio.core.FiberScheduler;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** The benchmark bodies do the work they claim, with small counts (the real runs are in jmh.sh). */
class BenchmarkBodiesTest {
    @Test
    void yieldBodiesYieldTheRequestedNumberOfTimes() {
        assertEquals(2_000, onScheduler(1, s -> YieldBench.fiberYields(s, 2_000)));
        assertEquals(500, YieldBench.threadYields(Thread.ofVirtual(), 500));
        assertEquals(500, YieldBench.threadYields(Thread.ofPlatform(), 500));
    }

    @Test
    void parkPingPongCompletesEveryRoundTrip() {
        assertEquals(5_000, onScheduler(2, s -> ParkPingPongBench.fiberRally(s, 5_000)));
        assertEquals(2_000, ParkPingPongBench.threadRally(Thread.ofVirtual(), 2_000));
        assertEquals(2_000, ParkPingPongBench.threadRally(Thread.ofPlatform(), 2_000));
    }

    @Test
    void channelPingPongCompletesEveryRoundTrip() {
        assertEquals(5_000, onScheduler(2, s -> ChannelPingPongBench.fiberChannels(s, 5_000)));
        assertEquals(2_000, ChannelPingPongBench.threadQueues(Thread.ofVirtual(), 2_000));
        assertEquals(2_000, ChannelPingPongBench.threadQueues(Thread.ofPlatform(), 2_000));
    }

    @Test
    void spawnJoinRunsEveryTask() {
        assertEquals(10_000, onScheduler(2, s -> SpawnJoinBench.spawnFibers(s, 10_000)));
        assertEquals(10_000, SpawnJoinBench.startVirtualThreads(10_000));
    }

    /** Runs {@code body} with a fresh scheduler, then closes it with the invariant check. */
    private static long onScheduler(int workers, ToLongFunction<FiberScheduler> body) {
        FiberScheduler s = Contenders.fiberScheduler(workers);
        try {
            return body.applyAsLong(s);
        } finally {
            Contenders.closeChecked(s);
        }
    }

    @Test
    void everyBenchmarkStateCanBeSetUpAndTornDown() {
        YieldBench y = new YieldBench();
        y.setUp();
        assertEquals(YieldBench.YIELDS, y.fiberio());
        y.tearDown();
        ParkPingPongBench p = new ParkPingPongBench();
        p.setUp();
        assertEquals(ParkPingPongBench.ROUNDS, p.fiberio());
        p.tearDown();
    }
}
