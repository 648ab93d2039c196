package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import java.util.Map;

/**
 * What the process holds before a test — its open descriptors, and the {@linkplain Backend backend}'s
 * open sockets and operation records — taken after a {@linkplain Warmup warm-up}, and the checks that a
 * test gave all of it back.
 */
final class Baseline {
    private final Backend backend;
    private final Map<Integer, String> fds;
    private final long backendSockets;
    private final long records;

    private Baseline(Backend backend, Map<Integer, String> fds, long backendSockets, long records) {
        this.backend = backend;
        this.fds = fds;
        this.backendSockets = backendSockets;
        this.records = records;
    }

    /**
     * Warms up, then records the baseline.
     *
     * @return the baseline
     * @throws InterruptedException if interrupted during the warm-up
     */
    static Baseline take() throws InterruptedException {
        Warmup.echoOnce();
        Backend backend = Backend.current();
        // Every socket is closed now, so no record may stay alive: the last cancelled completions are reaped
        // a moment after their sockets closed (a record that never goes is a leak of native memory).
        TestSchedulers.awaitCondition("no " + backend.name() + " operation record alive after the warm-up (and any earlier test)",
                () -> backend.liveRecords() == 0);
        return new Baseline(backend, ProcessFds.snapshot(), backend.openDescriptors(), backend.liveRecords());
    }

    /**
     * The backend the baseline was taken on.
     *
     * @return the backend
     */
    Backend backend() {
        return backend;
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
     * Backend operation records alive at the baseline (0 on a readiness backend).
     *
     * @return the count
     */
    long records() {
        return records;
    }

    /**
     * Waits until a server started on top of the baseline holds nothing but its listening socket and its
     * acceptor fiber (every connection ended).
     *
     * @param scheduler the server's scheduler
     */
    void awaitServerIdle(FiberScheduler scheduler) {
        TestSchedulers.awaitCondition("the server closed every connection",
                () -> backend.openDescriptors() == backendSockets + 1 && scheduler.liveFibers() == 1);
    }

    /**
     * Asserts that no backend socket is left open, waits until every operation record is given back (a
     * record is released only when the kernel completed its cancelled operation, which a poll reaps a
     * moment later) and until nothing opened since the baseline is still open (a descriptor closed by
     * another thread may take a moment). Descriptors the baseline held and that closed meanwhile (say,
     * an earlier test's socket closed by a cleaner after a GC) are not this test's doing and do not
     * count; a reused descriptor number counts, since its link target (the socket's inode) differs.
     */
    void assertRestored() {
        assertEquals(backendSockets, backend.openDescriptors(), backend.name() + " sockets left open");
        TestSchedulers.awaitCondition(backend.name() + " operation records back to the baseline " + records,
                () -> backend.liveRecords() == records);
        try {
            TestSchedulers.awaitCondition("nothing opened since the baseline still open",
                    () -> ProcessFds.added(fds, ProcessFds.snapshot()).isEmpty());
        } catch (AssertionError timedOut) {
            throw new AssertionError("leaked descriptors: " + ProcessFds.added(fds, ProcessFds.snapshot()), timedOut);
        }
    }
}
