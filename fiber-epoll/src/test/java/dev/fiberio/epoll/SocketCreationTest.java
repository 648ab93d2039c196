package dev.fiberio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.epoll.ffi.LinuxConstants;
import java.io.File;
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

    private static int openFds() {
        String[] entries = new File("/proc/self/fd").list();
        return entries == null ? -1 : entries.length;
    }
}
