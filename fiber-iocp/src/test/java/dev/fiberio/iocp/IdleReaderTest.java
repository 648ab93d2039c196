package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static dev.fiberio.iocp.win32.Win32Constants.SD_SEND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.spi.Deadlines;
import java.io.ByteArrayOutputStream;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tryRead/awaitReadable loop that serves idle connections without a buffer: while nothing
 * arrives the reader waits in one pending zero-byte WSARecv; no receive is started only to be
 * cancelled, and a reset that ends the wait is thrown by the next read.
 */
class IdleReaderTest {
    /** More WSARecv calls than the whole exchange below needs (4): the loop spins. */
    private static final int SPINNING = 8;

    private final FakeIocp iocp = new FakeIocp(2);
    private final FiberScheduler scheduler = TestSchedulers.create(2);

    @AfterEach
    void tearDown() throws Exception {
        TestSchedulers.closeChecked(scheduler);
        awaitCondition("records released", () -> iocp.live() == 0);
        iocp.close();
    }

    private <T> CompletableFuture<T> inFiber(TestSchedulers.Callable<T> body) {
        return Spawned.inFiber(scheduler, body);
    }

    /** The reader waits in the socket's one pending receive, which hands the kernel no buffer. */
    private boolean waitsInAZeroByteReceive(FakeIocp.Connection c) {
        return c.socket().readSlot.hasWaiter() && iocp.fake.pendingOperations(c.handle()) == 1
                && iocp.fake.pendingReceiveBytes(c.handle()) == 0;
    }

    @Test
    void anIdleConnectionServedByTryReadAndAwaitReadableWaitsInOneZeroByteReceive() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        CountingWin32 calls = iocp.calls();
        AtomicBoolean spun = new AtomicBoolean();
        // A loop that starts (and cancels) a receive per turn would never stop: end its stream so the test fails, not hangs.
        calls.after("wsaRecv", () -> {
            if (calls.count("wsaRecv") > SPINNING && !spun.getAndSet(true)) {
                iocp.fake.shutdown(c.peer(), SD_SEND);
            }
        });
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        CompletableFuture<Integer> loop = inFiber(() -> {
            byte[] buf = new byte[64];
            for (;;) {
                int n = c.socket().tryRead(buf, 0, buf.length);
                if (n < 0) {
                    return n;
                }
                if (n > 0) {
                    got.write(buf, 0, n);
                } else {
                    c.socket().awaitReadable(Deadlines.NO_DEADLINE);
                }
            }
        });
        awaitCondition("the idle reader waits, or spins", () -> spun.get() || loop.isDone() || waitsInAZeroByteReceive(c));
        assertFalse(spun.get(), "the idle loop made more than " + SPINNING + " WSARecv calls: " + calls.count("wsaRecv"));
        assertEquals(1, calls.count("wsaRecv"), "one zero-byte receive while idle");
        assertEquals(0, calls.count("cancelIoEx"), "no receive was started to be cancelled");

        iocp.fake.receive(c.handle(), new byte[] {1, 2, 3});
        // the zero-byte receive completes, tryRead receives the 3 bytes, FIONREAD finds nothing more, a new zero-byte receive waits
        awaitCondition("the reader took the data and waits again, or spins", () -> spun.get() || loop.isDone()
                || (calls.count("wsaRecv") == 3 && waitsInAZeroByteReceive(c)));
        assertFalse(spun.get(), "the loop made more than " + SPINNING + " WSARecv calls: " + calls.count("wsaRecv"));
        assertFalse(loop.isDone(), "the stream has not ended");

        iocp.fake.shutdown(c.peer(), SD_SEND);
        assertEquals(-1, loop.join());
        assertArrayEquals(new byte[] {1, 2, 3}, got.toByteArray());
        assertEquals(4, calls.count("wsaRecv"), "the wait ends at the end of stream, whose receive says -1");
        assertEquals(0, calls.count("cancelIoEx"));
        c.socket().close();
    }

    @Test
    void aResetThatEndsTheWaitIsThrownByTheNextRead() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        CompletableFuture<Void> waiter = inFiber(() -> {
            c.socket().awaitReadable(Deadlines.NO_DEADLINE);
            return null;
        });
        awaitCondition("waiting without a buffer, or returned", () -> waiter.isDone() || waitsInAZeroByteReceive(c));
        assertFalse(waiter.isDone(), "awaitReadable returned although nothing arrived");
        iocp.fake.resetConnection(c.handle());
        waiter.join(); // a reset makes a read not wait: awaitReadable returns, the read reports it
        Throwable t = Spawned.failure(inFiber(() -> c.socket().tryRead(new byte[4], 0, 4)));
        assertInstanceOf(SocketException.class, t);
        assertEquals("Connection reset", t.getMessage());
        c.socket().close();
    }

    @Test
    void tryReadWithNothingThereStartsNoReceive() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        assertEquals(0, (int) inFiber(() -> c.socket().tryRead(new byte[4], 0, 4)).join());
        assertEquals(0, iocp.calls().count("wsaRecv"));
        assertEquals(0, iocp.calls().count("cancelIoEx"));
        iocp.fake.receive(c.handle(), new byte[] {5, 6});
        byte[] into = new byte[4];
        assertEquals(2, (int) inFiber(() -> c.socket().tryRead(into, 1, 3)).join());
        assertArrayEquals(new byte[] {0, 5, 6, 0}, into);
        assertEquals(1, iocp.calls().count("wsaRecv"), "bytes were there: one receive, complete at once");
        c.socket().close();
    }
}
