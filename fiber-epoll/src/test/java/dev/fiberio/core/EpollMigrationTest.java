package dev.fiberio.core;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.epoll.EpollNetProvider;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A fiber suspended in an epoll read on one worker is resumed, by the poller thread, on another worker:
 * its first worker is kept busy, so the resume lands in that worker's queue and the idle worker steals it.
 * The scheduler's invariant check (no resume before the post-switch hook, never twice) stays on.
 */
class EpollMigrationTest {

    @Test
    void aFiberBlockedInReadIsResumedOnAnotherWorker() throws Exception {
        EpollNetProvider epoll = new EpollNetProvider();
        FiberScheduler s = TestSchedulers.create(2);
        try (FiberServerSocket server = FiberServerSocket.open(epoll)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            AtomicReference<FiberSocket> serverSide = new AtomicReference<>();
            AtomicReference<Worker> readOn = new AtomicReference<>();
            AtomicReference<Worker> resumedOn = new AtomicReference<>();
            AtomicReference<Integer> byteRead = new AtomicReference<>();
            CountDownLatch release = new CountDownLatch(1);
            Fiber reader = s.spawn(() -> {
                try {
                    FiberSocket c = server.accept();
                    serverSide.set(c);
                    readOn.set(Worker.current());
                    byteRead.set(c.read(new byte[1], 0, 1)); // EAGAIN: suspends until the client writes
                    resumedOn.set(Worker.current());
                    release.countDown();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (FiberSocket client = FiberSocket.open(epoll)) {
                client.connect(server.localAddress());
                awaitCondition("reader suspended in read", () -> readOn.get() != null && reader.state() == FiberState.SUSPENDED);
                Worker first = readOn.get();
                // Occupy the reader's worker: spawn blockers until one runs there; it holds the worker.
                CountDownLatch occupied = new CountDownLatch(1);
                while (occupied.getCount() > 0) {
                    Fiber probe = s.spawn(() -> {
                        if (Worker.current() == first && occupied.getCount() > 0) {
                            occupied.countDown();
                            try {
                                release.await(30, TimeUnit.SECONDS); // deliberately blocks the carrier
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    });
                    awaitCondition("probe ended or holds the worker",
                            () -> occupied.getCount() == 0 || probe.state() == FiberState.TERMINATED);
                }
                client.write(new byte[] {42}, 0, 1);
                reader.join();
                assertEquals(1, byteRead.get());
                assertNotNull(resumedOn.get());
                assertNotSame(first, resumedOn.get(), "resumed on the other worker");
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } finally {
                FiberSocket c = serverSide.get();
                if (c != null) {
                    c.close();
                }
            }
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }
}
