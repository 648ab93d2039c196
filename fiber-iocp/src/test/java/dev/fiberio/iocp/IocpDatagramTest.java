package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static dev.fiberio.iocp.win32.Win32Constants.STATUS_BUFFER_OVERFLOW;
import static dev.fiberio.iocp.win32.Win32Constants.STATUS_CANCELLED;
import static dev.fiberio.iocp.win32.Win32Constants.STATUS_PORT_UNREACHABLE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.iocp.win32.CompletionHold;
import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.Deadlines;
import java.lang.foreign.MemorySegment;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the shared datagram suite does not reach on the fake: the asynchronous paths (a receive pending
 * when its datagram or ICMP error arrives), the record staying the kernel's after a timed-out
 * receive until its aborted completion is dequeued, and sockets without skip-on-success. Receivers
 * are plain threads (they park); no test orders threads by sleeping: each waits for the fake to show
 * the receive pending.
 */
class IocpDatagramTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final FakeIocp iocp = new FakeIocp(2);

    @AfterEach
    void tearDown() {
        awaitCondition("records released", () -> iocp.live() == 0);
        iocp.close();
    }

    private IocpDatagram bound() throws Exception {
        IocpDatagram d = (IocpDatagram) iocp.provider.openDatagram(StandardProtocolFamily.INET);
        d.bind(new InetSocketAddress(LOOPBACK, 0));
        return d;
    }

    private static CompletableFuture<DatagramHandle.Received> receiveAsync(IocpDatagram d, MemorySegment dst, long deadline) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return d.receive(dst, deadline);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 1);
        }
        return b;
    }

    @Test
    void aLongerDatagramThatCompletesAPendingReceiveIsReportedTruncated() throws Exception {
        try (IocpDatagram a = bound(); IocpDatagram b = bound();
             CompletionHold hold = iocp.fake.holdCompletions(p -> p.status() == STATUS_BUFFER_OVERFLOW)) {
            MemorySegment dst = MemorySegment.ofArray(new byte[10]);
            CompletableFuture<DatagramHandle.Received> got = receiveAsync(b, dst, Deadlines.NO_DEADLINE);
            awaitCondition("receive pending", () -> iocp.fake.pendingOperations(b.handle) == 1);
            byte[] data = bytes(50);
            assertEquals(50, a.send(MemorySegment.ofArray(data), b.localAddress(), Deadlines.NO_DEADLINE));
            assertEquals(10, hold.awaitHeld(1).getFirst().bytes(), "the completion carries the bytes that fitted");
            hold.releaseAll();
            DatagramHandle.Received r = got.join();
            assertEquals(new DatagramHandle.Received(a.localAddress(), 10, true), r);
            assertArrayEquals(Arrays.copyOf(data, 10), dst.toArray(JAVA_BYTE));

            a.send(MemorySegment.ofArray(new byte[] {9}), b.localAddress(), Deadlines.NO_DEADLINE);
            MemorySegment next = MemorySegment.ofArray(new byte[10]);
            assertEquals(new DatagramHandle.Received(a.localAddress(), 1, false), b.receive(next, Deadlines.NO_DEADLINE),
                    "the rest of the truncated datagram was discarded");
        }
    }

    @Test
    void aTimedOutReceiveKeepsItsRecordUntilTheAbortedCompletionIsDequeued() throws Exception {
        try (IocpDatagram a = bound(); IocpDatagram b = bound()) {
            CompletableFuture<DatagramHandle.Received> got;
            try (CompletionHold hold = iocp.fake.holdCompletions(p -> p.status() == STATUS_CANCELLED)) {
                got = receiveAsync(b, MemorySegment.ofArray(new byte[4]), Deadlines.after(Duration.ofMillis(20)));
                hold.awaitHeld(1); // the deadline passed: CancelIoEx aborted the receive, its packet is held
                assertTrue(b.receiveRecord().pending(), "the kernel owns the record (buffer, sender address) until then");
                assertFalse(got.isDone(), "the receiver waits for the aborted completion");
            }
            Throwable t = assertInstanceOf(java.util.concurrent.CompletionException.class,
                    org.junit.jupiter.api.Assertions.assertThrows(Exception.class, got::join)).getCause();
            assertInstanceOf(SocketTimeoutException.class, t);
            assertEquals("Receive timed out", t.getMessage());
            assertFalse(b.receiveRecord().pending());

            a.send(MemorySegment.ofArray(new byte[] {1, 2}), b.localAddress(), Deadlines.NO_DEADLINE);
            assertEquals(2, b.receive(MemorySegment.ofArray(new byte[4]), Deadlines.NO_DEADLINE).length(), "still usable");
        }
    }

    @Test
    void aConnectedSocketsPendingReceiveEndsWithPortUnreachable() throws Exception {
        InetSocketAddress nobody;
        try (DatagramSocket d = new DatagramSocket(0, LOOPBACK)) {
            nobody = (InetSocketAddress) d.getLocalSocketAddress();
        }
        try (IocpDatagram c = bound();
             CompletionHold hold = iocp.fake.holdCompletions(p -> p.status() == STATUS_PORT_UNREACHABLE)) {
            c.connect(nobody);
            CompletableFuture<DatagramHandle.Received> got = receiveAsync(c, MemorySegment.ofArray(new byte[4]), Deadlines.NO_DEADLINE);
            awaitCondition("receive pending", () -> iocp.fake.pendingOperations(c.handle) == 1);
            c.send(MemorySegment.ofArray(new byte[] {1}), null, Deadlines.NO_DEADLINE);
            hold.awaitHeld(1); // an NTSTATUS the dispatcher does not know: WSAGetOverlappedResult names it
            hold.releaseAll();
            Throwable t = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, got::join).getCause();
            assertInstanceOf(PortUnreachableException.class, t);
        }
    }

    @Test
    void anUnconnectedSocketIsNotToldOfUnreachablePorts() throws Exception {
        InetSocketAddress nobody;
        try (DatagramSocket d = new DatagramSocket(0, LOOPBACK)) {
            nobody = (InetSocketAddress) d.getLocalSocketAddress();
        }
        try (IocpDatagram s = bound(); IocpDatagram peer = bound()) {
            s.send(MemorySegment.ofArray(new byte[] {1}), nobody, Deadlines.NO_DEADLINE);
            peer.send(MemorySegment.ofArray(new byte[] {2}), s.localAddress(), Deadlines.NO_DEADLINE);
            MemorySegment dst = MemorySegment.ofArray(new byte[4]);
            assertEquals(new DatagramHandle.Received(peer.localAddress(), 1, false), s.receive(dst, Deadlines.NO_DEADLINE),
                    "SIO_UDP_CONNRESET is off: the ICMP error does not fail the receive");
            assertEquals(2, dst.get(JAVA_BYTE, 0));

            s.connect(nobody);
            s.disconnect();
            s.send(MemorySegment.ofArray(new byte[] {1}), nobody, Deadlines.NO_DEADLINE);
            peer.send(MemorySegment.ofArray(new byte[] {3}), s.localAddress(), Deadlines.NO_DEADLINE);
            assertEquals(1, s.receive(dst, Deadlines.NO_DEADLINE).length(), "off again after a disconnect");
            assertEquals(3, dst.get(JAVA_BYTE, 0));
        }
    }

    @Test
    void withoutSkipOnSuccessSynchronousResultsWaitForTheirPackets() throws Exception {
        iocp.fake.setLayeredProvider(true); // a non-IFS provider: every synchronous success still queues a packet
        try (IocpDatagram a = bound(); IocpDatagram b = bound()) {
            for (int i = 0; i < 20; i++) {
                a.send(MemorySegment.ofArray(bytes(30)), b.localAddress(), Deadlines.NO_DEADLINE);
                DatagramHandle.Received r = b.receive(MemorySegment.ofArray(new byte[i % 2 == 0 ? 64 : 8]), Deadlines.NO_DEADLINE);
                assertEquals(i % 2 == 0 ? 30 : 8, r.length());
                assertEquals(i % 2 != 0, r.truncated(), "a synchronous WSAEMSGSIZE queues no packet; none is mistaken for the next");
            }
            long port = iocp.group().port.handle();
            awaitCondition("no packet left", () -> iocp.fake.queuedCompletions(port) == 0);
        }
    }
}
