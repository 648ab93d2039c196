package dev.fiberio.nativeio.ffi;

import static dev.fiberio.nativeio.ffi.LinuxConstants.FD_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.F_GETFD;
import static dev.fiberio.nativeio.ffi.LinuxConstants.F_GETFL;
import static dev.fiberio.nativeio.ffi.LinuxConstants.O_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SHUT_WR;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** socket, bind, listen, accept4, connect, read/write, readv/writev, shutdown and close on loopback. */
@ExtendWith(FdCountCheck.class)
class LibCSocketTest {

    private final TestResources fds = new TestResources();
    private final Arena arena = fds.arena();

    @AfterEach
    void closeEverything() {
        fds.closeAll();
    }

    private static InetAddress ipv4Loopback() throws IOException {
        return InetAddress.getByName("127.0.0.1");
    }

    private static void assertNonBlockingAndCloseOnExec(int fd, String which) {
        int fdFlags = LibC.fcntl(fd, F_GETFD);
        int statusFlags = LibC.fcntl(fd, F_GETFL);
        assertTrue(fdFlags >= 0 && statusFlags >= 0, which + ": fcntl failed");
        assertEquals(FD_CLOEXEC, fdFlags & FD_CLOEXEC, which + " is close-on-exec");
        assertEquals(O_NONBLOCK, statusFlags & O_NONBLOCK, which + " is non-blocking");
    }

    @Test
    void acceptedAndConnectingSocketsAreNonBlockingAndCloseOnExec() throws IOException {
        Loopback.Connection c = Loopback.open(fds, arena, ipv4Loopback());

        assertNonBlockingAndCloseOnExec(c.listener(), "listener");
        assertNonBlockingAndCloseOnExec(c.client(), "connecting fd");
        assertNonBlockingAndCloseOnExec(c.server(), "accepted fd");
    }

    @Test
    void getsocknameAndGetpeernameDescribeBothEnds() throws IOException {
        Loopback.Connection c = Loopback.open(fds, arena, ipv4Loopback());

        assertEquals(ipv4Loopback(), c.serverAddress().getAddress());
        assertNotEquals(0, c.serverAddress().getPort(), "port 0 was replaced by the kernel's choice");
        MemorySegment peer = SockAddr.allocate(arena);
        assertEquals(0, LibC.getpeername(c.client(), peer));
        assertEquals(c.serverAddress(), SockAddr.decode(peer));
        assertEquals(0, LibC.getpeername(c.server(), peer));
        assertEquals(Loopback.localAddress(c.client(), arena), SockAddr.decode(peer));
    }

    @Test
    void acceptWithoutPeerAddressAndWithNothingPendingReturnsEagain() throws IOException {
        int listener = Loopback.listen(fds, arena, ipv4Loopback());

        assertEquals(-Errno.EAGAIN, LibC.accept4(listener, MemorySegment.NULL, LinuxConstants.SOCK_CLOEXEC));
        assertEquals(-Errno.ENOTCONN, LibC.getpeername(listener, SockAddr.allocate(arena)));
    }

    @Test
    void nativeSegmentsRoundTripThroughReadAndWrite() throws IOException {
        Loopback.Connection c = Loopback.open(fds, arena, ipv4Loopback());
        MemorySegment out = arena.allocateFrom("ping", StandardCharsets.US_ASCII);

        assertEquals(4, LibC.write(c.client(), out, 4));
        Loopback.awaitEvents(c.server(), LinuxConstants.EPOLLIN);
        MemorySegment in = arena.allocate(64);
        assertEquals(4, LibC.read(c.server(), in, in.byteSize()));
        assertEquals("ping", new String(in.asSlice(0, 4).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
    }

    @Test
    void heapSegmentsAndArraysRoundTripWithoutCopying() throws IOException {
        Loopback.Connection c = Loopback.open(fds, arena, ipv4Loopback());
        byte[] message = "--hello heap--".getBytes(StandardCharsets.US_ASCII);

        assertEquals(10, LibC.write(c.client(), message, 2, 10));
        assertEquals(2, LibC.write(c.client(), MemorySegment.ofArray(message).asSlice(12), 2));
        byte[] received = new byte[16];
        Loopback.awaitEvents(c.server(), LinuxConstants.EPOLLIN);
        int first = (int) LibC.read(c.server(), MemorySegment.ofArray(received), 3);
        assertEquals(3, first);
        assertArrayEquals("hello heap--".substring(3).getBytes(StandardCharsets.US_ASCII),
                Loopback.readFully(c.server(), 9));
        assertArrayEquals("hel".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(received, 3));
    }

    @Test
    void readvAndWritevScatterAndGather() throws IOException {
        Loopback.Connection c = Loopback.open(fds, arena, ipv4Loopback());
        MemorySegment gather = IoVec.allocateArray(arena, 2);
        IoVec.set(gather, 0, arena.allocateFrom("hello, ", StandardCharsets.US_ASCII).asSlice(0, 7));
        IoVec.set(gather, 1, arena.allocateFrom("world", StandardCharsets.US_ASCII).asSlice(0, 5));
        assertEquals(7, IoVec.length(gather, 0));

        assertEquals(12, LibC.writev(c.client(), gather, 2));

        MemorySegment head = arena.allocate(3);
        MemorySegment tail = arena.allocate(20);
        MemorySegment scatter = IoVec.allocateArray(arena, 2);
        IoVec.set(scatter, 0, head);
        IoVec.set(scatter, 1, tail);
        assertEquals(head.address(), IoVec.base(scatter, 0));
        Loopback.awaitEvents(c.server(), LinuxConstants.EPOLLIN);
        assertEquals(12, LibC.readv(c.server(), scatter, 2));
        assertEquals("hel", new String(head.toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
        assertEquals("lo, world", new String(tail.asSlice(0, 9).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
    }

    @Test
    void emptyNonBlockingReadReturnsMinusEagain() throws IOException {
        Loopback.Connection c = Loopback.open(fds, arena, ipv4Loopback());

        assertEquals(-Errno.EAGAIN, LibC.read(c.server(), arena.allocate(8), 8));
        assertEquals(-Errno.EAGAIN, LibC.read(c.server(), new byte[8], 0, 8), "critical call with a heap segment");
    }

    @Test
    void shutdownOfTheWritingHalfIsEndOfStreamForThePeer() throws IOException {
        Loopback.Connection c = Loopback.open(fds, arena, ipv4Loopback());

        assertEquals(0, LibC.shutdown(c.client(), SHUT_WR));
        Loopback.awaitEvents(c.server(), LinuxConstants.EPOLLIN);
        assertEquals(0, LibC.read(c.server(), new byte[8], 0, 8));
        assertEquals(-Errno.EPIPE, LibC.write(c.client(), new byte[1], 0, 1), "write after SHUT_WR");
    }

    @Test
    void connectToAJustClosedPortIsRefused() throws IOException {
        int listener = Loopback.listen(fds, arena, ipv4Loopback());
        InetSocketAddress address = Loopback.localAddress(listener, arena);
        fds.close(listener);
        int fd = fds.add(LibC.socket(LinuxConstants.AF_INET, LinuxConstants.SOCK_STREAM | LinuxConstants.SOCK_CLOEXEC, 0),
                "socket");
        MemorySegment to = SockAddr.allocate(arena);

        int r = LibC.connect(fd, to, SockAddr.encode(address, to));

        assertEquals(-Errno.ECONNREFUSED, r, () -> "blocking connect gave " + Errno.name(-r));
        ConnectException e = assertInstanceOf(ConnectException.class, Errno.toException("connect", -r));
        assertTrue(e.getMessage().startsWith("Connection refused"), e.getMessage());
    }

    @Test
    void closeOfAnInvalidFdIsEbadf() {
        assertEquals(-Errno.EBADF, LibC.close(-1));
        assertEquals(-Errno.EBADF, LibC.read(-1, new byte[1], 0, 1), "errno captured through a critical call");
    }

    @Test
    void ipv6LoopbackRoundTrip() throws IOException {
        InetAddress loopback6 = InetAddress.getByName("::1");
        Loopback.Connection c = Loopback.open(fds, arena, loopback6);

        assertInstanceOf(Inet6Address.class, c.serverAddress().getAddress());
        assertEquals(loopback6, c.serverAddress().getAddress());
        Loopback.writeAll(c.client(), "over six".getBytes(StandardCharsets.US_ASCII));
        Loopback.writeAll(c.server(), "back".getBytes(StandardCharsets.US_ASCII));
        assertEquals("over six", new String(Loopback.readFully(c.server(), 8), StandardCharsets.US_ASCII));
        assertEquals("back", new String(Loopback.readFully(c.client(), 4), StandardCharsets.US_ASCII));
        MemorySegment peer = SockAddr.allocate(arena);
        assertEquals(0, LibC.getpeername(c.server(), peer));
        assertEquals(LinuxConstants.AF_INET6, SockAddr.family(peer));
        assertEquals(loopback6, SockAddr.decode(peer).getAddress());
    }

    @Test
    void argumentsOutsideTheirSegmentAreRejectedBeforeTheCall() {
        MemorySegment small = arena.allocate(4);

        assertThrows(IndexOutOfBoundsException.class, () -> LibC.read(0, small, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> LibC.write(0, small, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> LibC.read(0, new byte[4], 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> LibC.bind(0, small, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> LibC.connect(0, small, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> LibC.readv(0, small, 1));
        assertThrows(IllegalArgumentException.class, () -> LibC.read(0, small.asReadOnly(), 4));
        assertThrows(IllegalArgumentException.class,
                () -> IoVec.set(IoVec.allocateArray(arena, 1), 0, MemorySegment.ofArray(new byte[4])));
    }
}
