package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.spi.Deadlines;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The receive path as a Win32 review asked: an idle reader hands the kernel no buffer (zero-byte
 * receives), a layered provider without IFS handles gets no skip-on-success (its packets would
 * otherwise complete the next operation), and a cancellation that brings no completion does not
 * hold the caller past its deadline forever.
 */
class ReadPathTest {
    private final FakeIocp iocp = new FakeIocp(IocpConfig.of(2, FakeIocp.BUFFER)
            .withCancelGraceNanos(TimeUnit.MILLISECONDS.toNanos(200)));
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

    @Test
    void anIdleReaderPinsNoReceiveBufferAndThenReadsWhatArrived() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        byte[] into = new byte[100];
        CompletableFuture<Integer> read = inFiber(() -> c.socket().read(MemorySegment.ofArray(into), Deadlines.NO_DEADLINE));
        awaitCondition("reader waiting", () -> c.socket().readSlot.hasWaiter() && c.socket().readRecord().pending());
        assertEquals(1, iocp.fake.pendingOperations(c.handle()));
        assertEquals(0, iocp.fake.pendingReceiveBytes(c.handle()), "the pending receive hands the kernel no buffer");
        iocp.fake.receive(c.handle(), new byte[] {1, 2, 3});
        assertEquals(3, read.join());
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(into, 3));
        c.socket().close();
    }

    @Test
    void withALayeredProviderWithoutIfsHandlesEverySuccessWaitsForItsPacket() throws Exception {
        iocp.fake.setLayeredProvider(true);
        FakeIocp.Connection c = iocp.connection();
        for (int i = 0; i < 20; i++) {
            MemorySegment one = MemorySegment.ofArray(new byte[] {(byte) i});
            assertEquals(1, (int) inFiber(() -> c.socket().write(one, Deadlines.NO_DEADLINE)).join());
            iocp.fake.receive(c.handle(), new byte[] {(byte) i});
            byte[] got = new byte[1];
            assertEquals(1, (int) inFiber(() -> c.socket().read(MemorySegment.ofArray(got), Deadlines.NO_DEADLINE)).join());
            assertEquals(i, got[0]);
        }
        long port = iocp.group().port.handle();
        awaitCondition("every packet dequeued", () -> iocp.fake.queuedCompletions(port) == 0);
        assertEquals(0, iocp.group().port.dispatcher().staleCompletions(),
                "no packet of a synchronous success arrived after its operation was over");
        assertEquals(20, iocp.fake.takeReceived(c.peer()).length);
        c.socket().close();
    }

    @Test
    void aReadWhoseCancellationBringsNoCompletionStillTimesOutAndTheDataIsNotLost() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        iocp.fake.ignoreCancel(c.handle());
        byte[] into = new byte[8];
        // Bounded, so that a read that waits for the cancelled completion forever fails the test instead of hanging it.
        Throwable t = Spawned.failure(inFiber(() -> c.socket().read(MemorySegment.ofArray(into),
                Deadlines.after(Duration.ofMillis(100)))).orTimeout(30, TimeUnit.SECONDS));
        assertInstanceOf(SocketTimeoutException.class, t);
        assertEquals(1, iocp.fake.pendingOperations(c.handle()), "the receive is still the kernel's");
        iocp.fake.receive(c.handle(), new byte[] {7, 8});
        assertEquals(2, (int) inFiber(() -> c.socket().read(MemorySegment.ofArray(into), Deadlines.NO_DEADLINE)).join());
        assertEquals(7, into[0]);
        c.socket().close();
    }
}
