package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static dev.fiberio.iocp.win32.Win32Constants.STATUS_LOCAL_DISCONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.iocp.win32.CompletionHold;
import dev.fiberio.net.spi.Deadlines;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Closing a socket with operations pending: every blocked caller wakes with "Socket closed" at once,
 * while the native records of the aborted operations stay allocated until their completions were
 * dequeued (observed through the pool's count of live records and the port table).
 */
class CloseTest {
    private final FakeIocp iocp = new FakeIocp(2);
    private final FiberScheduler scheduler = TestSchedulers.create(3);

    @AfterEach
    void tearDown() throws Exception {
        TestSchedulers.closeChecked(scheduler);
        awaitCondition("records released", () -> live() == 0);
        assertEquals(0, iocp.group().port.channels().size(), "no table entry left");
        iocp.close();
    }

    private <T> CompletableFuture<T> inFiber(TestSchedulers.Callable<T> body) {
        return Spawned.inFiber(scheduler, body);
    }

    private static void assertClosedFailure(CompletableFuture<?> f) {
        Throwable t = Spawned.failure(f);
        assertInstanceOf(SocketException.class, t);
        assertEquals("Socket closed", t.getMessage());
    }

    @Test
    void aReadRecordIsFreedOnlyAfterTheAbortedCompletionWasDequeued() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        assertEquals(2, live());
        CompletableFuture<Integer> read = inFiber(() -> c.socket().read(MemorySegment.ofArray(new byte[4]),
                Deadlines.NO_DEADLINE));
        awaitCondition("reader suspended", () -> c.socket().readSlot.hasWaiter() && c.socket().readRecord().pending());
        try (CompletionHold hold = iocp.fake.holdCompletions(p -> p.status() == STATUS_LOCAL_DISCONNECT)) {
            c.socket().close(); // closesocket aborts the receive; its packet is held
            assertClosedFailure(read);
            hold.awaitHeld(1);
            assertEquals(1, live(), "the write record is free, the read record still the kernel's");
            assertTrue(c.socket().readRecord().pending());
            assertEquals(1, iocp.group().port.channels().size(), "the aborted completion must still find its record");
        }
        awaitCondition("aborted completion dequeued, record released", () -> live() == 0);
    }

    @Test
    void closeWakesABlockedWriteAcceptAndConnect() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        iocp.fake.setReceiveCapacity(c.peer(), 1);
        MemorySegment block = MemorySegment.ofArray(new byte[FakeIocp.BUFFER]);
        inFiber(() -> c.socket().write(block, Deadlines.NO_DEADLINE)).join(); // fills the peer
        CompletableFuture<Integer> write = inFiber(() -> c.socket().write(block, Deadlines.NO_DEADLINE));

        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        CompletableFuture<Object> accept = inFiber(() -> server.accept(Deadlines.NO_DEADLINE));

        IocpServerSocket target = IocpServerSocket.open(iocp.group(), AF_INET); // another: its backlog takes the connection
        target.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        IocpSocket client = IocpSocket.open(iocp.group(), AF_INET);
        CompletableFuture<Object> connect;
        try (CompletionHold hold = iocp.fake.holdCompletions(
                p -> p.overlapped() == client.writeRecord().overlappedAddress())) {
            connect = inFiber(() -> {
                client.connect(target.localAddress(), Deadlines.NO_DEADLINE);
                return null;
            });
            awaitCondition("write, accept and connect blocked", () -> c.socket().writeSlot.hasWaiter()
                    && server.readSlot.hasWaiter() && client.writeSlot.hasWaiter());
            c.socket().close();
            server.close();
            client.close();
            assertClosedFailure(write);
            assertClosedFailure(accept);
            assertClosedFailure(connect);
        }
        target.close();
    }

    @Test
    void everyOperationAfterCloseFailsWithSocketClosed() throws Exception {
        FakeIocp.Connection c = iocp.connection();
        IocpSocket s = c.socket();
        s.close();
        s.close(); // idempotent
        assertFalse(s.isOpen());
        MemorySegment b = MemorySegment.ofArray(new byte[1]);
        for (IoCall call : new IoCall[] {
                () -> s.read(b, Deadlines.NO_DEADLINE), () -> s.write(b, Deadlines.NO_DEADLINE), s::localAddress,
                s::remoteAddress, () -> s.getOption(StandardSocketOptions.TCP_NODELAY), () -> {
                    s.shutdownOutput();
                    return null;
                }, () -> {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), Deadlines.NO_DEADLINE);
                    return null;
                }}) {
            SocketException e = assertThrows(SocketException.class, call::run);
            assertEquals("Socket closed", e.getMessage());
        }
        assertEquals(1, iocp.calls().count("closesocket"), "closesocket once");
    }

    @Test
    void aClosedListenerClosesTheSocketOfItsAbortedAcceptEx() throws Exception {
        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        CompletableFuture<Object> accept = inFiber(() -> server.accept(Deadlines.NO_DEADLINE));
        int posted = iocp.group().config.postedAccepts();
        awaitCondition("AcceptEx posted", () -> iocp.fake.pendingOperations(server.handle) == posted);
        int socketsBefore = iocp.calls().count("closesocket");
        server.close();
        assertClosedFailure(accept);
        awaitCondition("the listener and every accepting socket closed",
                () -> iocp.calls().count("closesocket") == socketsBefore + 1 + posted);
        assertNotNull(server.toString());
    }

    /** An operation that may throw. */
    @FunctionalInterface
    private interface IoCall {
        Object run() throws IOException;
    }

    private long live() {
        return iocp.live();
    }
}
