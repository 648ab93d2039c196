package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.epoll.EpollNetProvider;
import java.util.Map;

/**
 * What the process holds before a test — its open descriptors, and the epoll backend's open sockets —
 * taken after a {@linkplain Warmup warm-up}, and the checks that a test gave all of it back.
 */
final class Baseline {
    private final Map<Integer, String> fds;
    private final long backendSockets;

    private Baseline(Map<Integer, String> fds, long backendSockets) {
        this.fds = fds;
        this.backendSockets = backendSockets;
    }

    /**
     * Warms up, then records the baseline.
     *
     * @return the baseline
     * @throws InterruptedException if interrupted during the warm-up
     */
    static Baseline take() throws InterruptedException {
        Warmup.echoOnce();
        return new Baseline(ProcessFds.snapshot(), EpollNetProvider.openDescriptors());
    }

    /**
     * Descriptors open at the baseline.
     *
     * @return the count
     */
    int fdCount() {
        return fds.size();
    }

    /**
     * Backend sockets open at the baseline.
     *
     * @return the count
     */
    long backendSockets() {
        return backendSockets;
    }

    /**
     * Waits until a server started on top of the baseline holds nothing but its listening socket and its
     * acceptor fiber (every connection ended).
     *
     * @param scheduler the server's scheduler
     */
    void awaitServerIdle(FiberScheduler scheduler) {
        TestSchedulers.awaitCondition("the server closed every connection",
                () -> EpollNetProvider.openDescriptors() == backendSockets + 1 && scheduler.liveFibers() == 1);
    }

    /**
     * Asserts that no backend socket is left open and waits until nothing opened since the baseline is
     * still open (a descriptor closed by another thread may take a moment). Descriptors the baseline
     * held and that closed meanwhile (say, an earlier test's socket closed by a cleaner after a GC)
     * are not this test's doing and do not count; a reused descriptor number counts, since its link
     * target (the socket's inode) differs.
     */
    void assertRestored() {
        assertEquals(backendSockets, EpollNetProvider.openDescriptors(), "backend sockets left open");
        try {
            TestSchedulers.awaitCondition("nothing opened since the baseline still open",
                    () -> ProcessFds.added(fds, ProcessFds.snapshot()).isEmpty());
        } catch (AssertionError timedOut) {
            throw new AssertionError("leaked descriptors: " + ProcessFds.added(fds, ProcessFds.snapshot()), timedOut);
        }
    }
}
