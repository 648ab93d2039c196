package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.examples.echo.EchoServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The soak: {@link Settings#soakConnections()} concurrent clients (1,000 by default) against the echo
 * example for {@link Settings#soakSeconds()} (60 s in CI; 1,800 s for the documented long run), with
 * random message sizes, checksummed random content and injected disconnects and resets in the middle
 * of messages. Afterwards: no byte lost or corrupted on connections that were not cut on purpose, the
 * descriptor count back to its baseline, no fiber left but the acceptor, heap after GC stable.
 */
@Tag("reliability")
@OnSelectedBackend
class SoakTest {
    /** Heap growth tolerated between the start and the end of the run, after GC. */
    private static final long HEAP_GROWTH_LIMIT = 32L << 20;

    @Test
    void echoServerKeepsEveryByteAndReleasesEverythingUnderLoadAndFaults() throws Exception {
        int seconds = Settings.soakSeconds();
        int clients = Settings.soakConnections();
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Baseline baseline = Baseline.take();
        Backend backend = baseline.backend();
        long heapBefore = HeapGauge.usedAfterGc();
        long staleBefore = backend.staleDropped();
        LongAdder uncaught = new LongAdder();
        FiberScheduler scheduler = FiberScheduler.builder().name("soak").workers(2)
                .shutdownTimeout(Duration.ofSeconds(5))
                .uncaughtExceptionHandler((f, t) -> uncaught.increment()).build();
        EchoServer server = new EchoServer(scheduler, any);
        SoakStats stats = new SoakStats();
        long start = System.nanoTime();
        long stopAt = start + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(clients);
        SplittableRandom seeds = new SplittableRandom(Settings.seed());
        List<Thread> threads = new ArrayList<>(clients);
        for (int c = 0; c < clients; c++) {
            SoakClient client = new SoakClient(server.address(), stopAt, Settings.soakFaultPercent(), stats, seeds.split());
            threads.add(Thread.ofVirtual().name("soak-client-" + c).start(() -> {
                try {
                    client.run();
                } finally {
                    done.countDown();
                }
            }));
        }
        // Heap after GC, sampled ten times while the load runs (the wait ends early when clients finish).
        List<Long> heapSamples = new ArrayList<>();
        long sampleEvery = Math.max(1, TimeUnit.SECONDS.toNanos(seconds) / 10);
        while (!done.await(sampleEvery, TimeUnit.NANOSECONDS)) {
            heapSamples.add(HeapGauge.usedAfterGc());
        }
        for (Thread t : threads) {
            t.join();
        }
        threads.clear(); // a finished virtual thread still holds its task, and so the client's buffers
        double elapsed = (System.nanoTime() - start) / 1e9;
        baseline.awaitServerIdle(scheduler);
        int liveAfterClients = scheduler.liveFibers();
        long backendWhileIdle = backend.openDescriptors();
        server.close();
        TestSchedulers.closeChecked(scheduler);
        baseline.assertRestored();
        int fdsAfter = ProcessFds.count();
        long staleAfter = backend.staleDropped();
        long heapAfter = HeapGauge.usedAfterGc();

        new Report("soak")
                .add("duration", String.format("%.1f s (configured %d s)", elapsed, seconds))
                .add("concurrent connections", clients)
                .add("connections opened", stats.connections.sum())
                .add("connections completed", stats.completed.sum())
                .add("messages verified", stats.messages.sum())
                .add("bytes verified", stats.bytesVerified.sum())
                .add("bytes echoed by the server", server.bytesEchoed())
                .add("faults: disconnects", stats.disconnects.sum())
                .add("faults: resets", stats.resets.sum())
                .add("corrupted echoes", stats.corrupted.sum())
                .add("unexpected failures", stats.failures.sum() + " " + stats.failureSamples)
                .add("server fibers left", liveAfterClients + " (the acceptor) then " + scheduler.liveFibers())
                .add("uncaught fiber exceptions", uncaught.sum())
                .add("fds before/after", baseline.fdCount() + " / " + fdsAfter)
                .add(backend.name() + " sockets before/idle/after", baseline.backendSockets() + " / " + backendWhileIdle + " / " + backend.openDescriptors())
                .add(backend.name() + " records before/after", baseline.records() + " / " + backend.liveRecords())
                .add(backend.staleWhat(), staleAfter - staleBefore)
                .add("heap after GC before", HeapGauge.mib(heapBefore))
                .add("heap after GC during", heapSamples.stream().map(HeapGauge::mib).toList())
                .add("heap after GC after", HeapGauge.mib(heapAfter))
                .publish();

        assertEquals(0, stats.failures.sum(), () -> "unexpected failures, e.g. " + stats.failureSamples);
        assertEquals(0, stats.corrupted.sum(), "echoes that differ from what was sent");
        assertTrue(stats.bytesVerified.sum() > 0 && stats.resets.sum() > 0 && stats.disconnects.sum() > 0,
                "the run did work and injected both kinds of fault");
        assertEquals(0, uncaught.sum(), "server fibers that ended with an exception");
        assertEquals(1, liveAfterClients, "only the acceptor fiber is left once every client is gone");
        assertEquals(baseline.backendSockets() + 1, backendWhileIdle, "only the listening socket is open once every client is gone");
        assertEquals(0, scheduler.liveFibers());
        assertTrue(heapAfter - heapBefore < HEAP_GROWTH_LIMIT, () -> "heap after GC grew from "
                + HeapGauge.mib(heapBefore) + " to " + HeapGauge.mib(heapAfter));
    }
}
