package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static dev.fiberio.iocp.win32.Win32Constants.STATUS_CANCELLED;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.iocp.win32.CompletionHold;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketHandle;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deadlines: the operation is cancelled with CancelIoEx and its record stays the kernel's until the
 * aborted completion is dequeued; if the I/O completed first, its result wins over the timeout.
 * The deadlines are short, but never decide the outcome: where the data could race the deadline, the
 * completion is held until the cancellation was requested.
 */
class TimeoutTest {
    private static final byte[] DATA = "late".getBytes(StandardCharsets.US_ASCII);
    private static final Duration SHORT = Duration.ofMillis(20);

    private final FakeIocp iocp = new FakeIocp(2);
    private final FiberScheduler scheduler = TestSchedulers.create(2);

    @AfterEach
    void tearDown() throws Exception {
        TestSchedulers.closeChecked(scheduler);
        awaitCondition("records released", () -> live() == 0);
        iocp.close();
    }

    private <T> CompletableFuture<T> inFiber(TestSchedulers.Callable<T> body) {
        return Spawned.inFiber(scheduler, body);
    }


    @Test
    void aReadTimesOutOnlyAfterItsAbortedCompletionWasDequeued() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        CompletableFuture<Integer> read;
        try (CompletionHold hold = iocp.fake.holdCompletions(p -> p.status() == STATUS_CANCELLED)) {
            read = inFiber(() -> c.socket().read(MemorySegment.ofArray(new byte[8]), Deadlines.after(SHORT)));
            hold.awaitHeld(1); // the deadline passed: CancelIoEx aborted the receive, its packet is held
            awaitCondition("CancelIoEx returned", () -> iocp.calls().count("cancelIoEx") == 1);
            assertTrue(c.socket().readRecord().pending(), "the kernel owns the record until the abort is dequeued");
            assertFalse(read.isDone(), "the reader waits for the aborted completion");
        }
        Throwable t = Spawned.failure(read);
        assertInstanceOf(SocketTimeoutException.class, t);
        assertEquals("Read timed out", t.getMessage());
        assertFalse(c.socket().readRecord().pending());

        iocp.fake.receive(c.handle(), DATA); // still usable
        MemorySegment dst = MemorySegment.ofArray(new byte[8]);
        int n = inFiber(() -> c.socket().read(dst, Deadlines.NO_DEADLINE)).join();
        assertArrayEquals(DATA, dst.asSlice(0, n).toArray(JAVA_BYTE));
        c.socket().close();
    }

    @Test
    void dataThatCompletesBeforeTheCancellationWinsOverTheDeadline() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        MemorySegment dst = MemorySegment.ofArray(new byte[8]);
        CompletableFuture<Integer> read;
        try (CompletionHold hold = iocp.fake.holdCompletions(
                p -> p.overlapped() == c.socket().readRecord().overlappedAddress())) {
            read = inFiber(() -> c.socket().read(dst, Deadlines.after(SHORT)));
            awaitCondition("receive pending", () -> iocp.fake.pendingOperations(c.handle()) == 1);
            iocp.fake.receive(c.handle(), DATA); // completes the receive; its packet is held
            hold.awaitHeld(1);
            awaitCondition("deadline passed, cancellation requested", () -> iocp.calls().count("cancelIoEx") == 1);
        } // released: the successful completion arrives after the cancel request, which found nothing to cancel
        int n = read.join();
        assertArrayEquals(DATA, dst.asSlice(0, n).toArray(JAVA_BYTE));
        c.socket().close();
    }

    @Test
    void aWriteTheBufferCannotTakeTimesOutAndTheSocketStaysUsable() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        iocp.fake.setReceiveCapacity(c.peer(), 16);
        MemorySegment block = MemorySegment.ofArray(new byte[FakeIocp.BUFFER]);
        assertEquals(FakeIocp.BUFFER, (int) inFiber(() -> c.socket().write(block, Deadlines.NO_DEADLINE)).join(),
                "an empty peer buffer takes one send");
        Throwable t = Spawned.failure(inFiber(() -> c.socket().write(block, Deadlines.after(SHORT))));
        assertInstanceOf(SocketTimeoutException.class, t);
        assertEquals("Write timed out", t.getMessage());

        assertEquals(FakeIocp.BUFFER, iocp.fake.takeReceived(c.peer()).length);
        assertEquals(FakeIocp.BUFFER, (int) inFiber(() -> c.socket().write(block, Deadlines.NO_DEADLINE)).join());
        c.socket().close();
    }

    @Test
    void anAcceptTimesOutAndTheNextOneAcceptsAConnection() throws Exception {
        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        Throwable t = Spawned.failure(inFiber(() -> server.accept(Deadlines.after(SHORT))));
        assertInstanceOf(SocketTimeoutException.class, t);
        assertEquals("Accept timed out", t.getMessage());
        assertEquals(iocp.group().config.postedAccepts(), iocp.fake.pendingOperations(server.handle),
                "a timeout leaves the listener's AcceptEx posted");

        CompletableFuture<SocketHandle> accepted = inFiber(() -> server.accept(Deadlines.NO_DEADLINE));
        long client = iocp.fake.connectTo(server.handle);
        try (SocketHandle s = accepted.join()) {
            assertEquals(iocp.localAddress(client), s.remoteAddress(), "GetAcceptExSockaddrs: the client's address");
        }
        server.close();
    }

    @Test
    void aConnectWhoseCompletionArrivesAfterTheDeadlineStillConnects() throws Exception {
        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        IocpSocket client = IocpSocket.open(iocp.group(), AF_INET);
        CompletableFuture<Void> connect;
        try (CompletionHold hold = iocp.fake.holdCompletions(
                p -> p.overlapped() == client.writeRecord().overlappedAddress())) {
            connect = inFiber(() -> {
                client.connect(server.localAddress(), Deadlines.after(SHORT));
                return null;
            });
            hold.awaitHeld(1);
            awaitCondition("deadline passed, cancellation requested", () -> iocp.calls().count("cancelIoEx") == 1);
        }
        connect.join();
        assertEquals(server.localAddress(), client.remoteAddress());
        client.close();
        server.close();
    }

    private long live() {
        return iocp.live();
    }
}
