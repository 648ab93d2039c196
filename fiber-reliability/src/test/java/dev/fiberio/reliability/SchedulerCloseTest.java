package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.examples.echo.EchoServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link FiberScheduler#close()} while the echo example streams data on many connections: close must
 * return in bounded time (it waits, then cancels the fibers blocked in reads and writes), leave no
 * fiber, let every client see its connection end (never hang), corrupt nothing that was echoed before,
 * and, once the server's listener is closed too, leave no descriptor behind.
 */
@Tag("reliability")
@OnSelectedBackend
class SchedulerCloseTest {
    private static final int CLIENTS = 200;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(1);

    @Test
    void closingTheSchedulerUnderLoadEndsEveryFiberAndReleasesEveryDescriptor() throws Exception {
        Baseline baseline = Baseline.take();
        FiberScheduler scheduler = FiberScheduler.builder().name("closing").workers(2).shutdownTimeout(SHUTDOWN_TIMEOUT).build();
        EchoServer server = new EchoServer(scheduler, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Outcomes endings = new Outcomes();
        CountDownLatch allStreaming = new CountDownLatch(CLIENTS);
        long closeMillis;
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> clients = new ArrayList<>();
            SplittableRandom seeds = new SplittableRandom(Settings.seed());
            InetSocketAddress address = server.address();
            for (int c = 0; c < CLIENTS; c++) {
                SplittableRandom random = seeds.split();
                clients.add(vt.submit(() -> endings.add(stream(address, random, allStreaming))));
            }
            assertTrue(allStreaming.await(RawHttp.HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS), "every client got an echo");
            long t0 = System.nanoTime();
            scheduler.close();
            closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            for (Future<?> f : clients) {
                f.get(RawHttp.HANG_GUARD_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        int liveAfterClose = scheduler.liveFibers();
        server.close();
        new Report("scheduler-close").add("streaming connections", CLIENTS)
                .add("close() took", closeMillis + " ms (shutdown timeout " + SHUTDOWN_TIMEOUT.toMillis() + " ms)")
                .add("client endings", endings).add("live fibers after close", liveAfterClose)
                .add("fds before/after", baseline.fdCount() + " / " + ProcessFds.count()).publish();
        assertEquals(0, liveAfterClose, "fibers left after close");
        assertEquals(0, scheduler.invariantViolations());
        assertEquals(Map.of(), endings.outside(Set.of("ended")), "clients saw corruption or an unexpected error");
        baseline.assertRestored();
        assertTrue(closeMillis < SHUTDOWN_TIMEOUT.multipliedBy(3).toMillis() + 5_000, "close() took " + closeMillis + " ms");
    }

    /** Streams verified echoes until the server ends the connection; returns how it ended. */
    private static String stream(InetSocketAddress address, SplittableRandom random, CountDownLatch streaming) {
        byte[] out = new byte[8192];
        byte[] in = new byte[8192];
        boolean counted = false;
        try (Socket s = RawHttp.connect(address)) {
            OutputStream o = s.getOutputStream();
            InputStream i = s.getInputStream();
            for (;;) {
                int size = 1 + random.nextInt(out.length);
                random.nextBytes(out);
                o.write(out, 0, size);
                if (i.readNBytes(in, 0, size) < size) {
                    return "ended"; // end of stream: the server closed it
                }
                if (!Arrays.equals(out, 0, size, in, 0, size)) {
                    return "corrupted";
                }
                if (!counted) {
                    counted = true;
                    streaming.countDown();
                }
            }
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            return m.contains("reset") || m.contains("Broken pipe") ? "ended" : "unexpected " + e;
        }
    }
}
