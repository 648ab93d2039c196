package dev.fiberio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import dev.fiberio.net.spi.SocketErrors;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SocketCreationTest {

    /**
     * Regression: a socket opened in a fiber picks its epoll group through the fiber's scheduler, which
     * refuses once it is closed. The descriptor was created before that question was asked, and leaked
     * when the answer was an exception.
     */
    @Test
    void aSocketOpenedInAFiberOfAClosedSchedulerLeaksNoDescriptor() throws Exception {
        FiberScheduler s = FiberScheduler.builder().workers(1).name("closing").shutdownTimeout(Duration.ofMillis(50))
                .watchdogThreshold(Duration.ZERO).build();
        AtomicBoolean schedulerClosed = new AtomicBoolean();
        CompletableFuture<Throwable> opened = new CompletableFuture<>();
        CompletableFuture<Integer> fdsBefore = new CompletableFuture<>();
        s.spawn(() -> {
            while (!schedulerClosed.get()) {
                Thread.onSpinWait(); // never suspends, so it outlives close() on its worker
            }
            fdsBefore.complete(openFds());
            try {
                EpollSocket.open(LinuxConstants.AF_INET).close();
                opened.complete(null);
            } catch (Throwable t) {
                opened.complete(t);
            }
        });
        s.close();
        schedulerClosed.set(true);
        Throwable t = opened.get(30, TimeUnit.SECONDS);
        assertInstanceOf(RejectedExecutionException.class, t, "the closed scheduler refuses the socket");
        assertEquals(fdsBefore.get(), openFds(), "descriptors open before and after the refused open");
    }

    /**
     * Regression: a socket created in a fiber lives in its scheduler's epoll instance, which closes with
     * the scheduler. A socket still open then (here read by a plain thread) never heard of readiness
     * again: the reader hung forever and the descriptor outlived the scheduler. Now the instance closes
     * its sockets when it closes, and the reader wakes with "Socket closed".
     */
    @Test
    void closingASchedulerClosesTheSocketsOfItsEpollInstanceAndWakesTheirUsers() throws Exception {
        long openBefore = EpollChannel.OPEN_FDS.get();
        try (FiberServerSocket listener = FiberServerSocket.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            FiberScheduler s = FiberScheduler.builder().workers(1).name("owner").shutdownTimeout(Duration.ofMillis(100)).build();
            CompletableFuture<FiberSocket> created = new CompletableFuture<>();
            s.spawn(() -> {
                try {
                    FiberSocket c = FiberSocket.open();
                    c.connect(listener.localAddress()); // created in a fiber: registered with the scheduler's instance
                    created.complete(c);
                } catch (IOException e) {
                    created.completeExceptionally(e);
                }
            });
            FiberSocket client = created.get(30, TimeUnit.SECONDS);
            try (FiberSocket server = listener.accept()) {
                CompletableFuture<Throwable> read = new CompletableFuture<>();
                Thread reader = Thread.ofPlatform().start(() -> {
                    try {
                        client.read(new byte[8], 0, 8); // a plain thread, no timeout
                        read.complete(null);
                    } catch (Throwable t) {
                        read.complete(t);
                    }
                });
                TestSchedulers.awaitCondition("the reader waits", () -> reader.getState() == Thread.State.WAITING);
                s.close();
                Throwable t = read.get(30, TimeUnit.SECONDS);
                assertInstanceOf(SocketException.class, t, "the reader was woken: " + t);
                assertTrue(t.getMessage().startsWith(SocketErrors.SOCKET_CLOSED), t.getMessage());
                assertEquals(openBefore + 2, EpollChannel.OPEN_FDS.get(), "only the listener and the server side are left");
            } finally {
                client.close();
            }
        }
        assertEquals(openBefore, EpollChannel.OPEN_FDS.get());
    }

    private static int openFds() {
        String[] entries = new File("/proc/self/fd").list();
        return entries == null ? -1 : entries.length;
    }
}
