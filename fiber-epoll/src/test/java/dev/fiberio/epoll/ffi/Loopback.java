package dev.fiberio.epoll.ffi;

import static dev.fiberio.epoll.ffi.LinuxConstants.EPOLLERR;
import static dev.fiberio.epoll.ffi.LinuxConstants.EPOLLIN;
import static dev.fiberio.epoll.ffi.LinuxConstants.EPOLLOUT;
import static dev.fiberio.epoll.ffi.LinuxConstants.EPOLL_CLOEXEC;
import static dev.fiberio.epoll.ffi.LinuxConstants.EPOLL_CTL_ADD;
import static dev.fiberio.epoll.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.epoll.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.epoll.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.epoll.ffi.LinuxConstants.SOL_SOCKET;
import static dev.fiberio.epoll.ffi.LinuxConstants.SO_ERROR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Builds connected loopback TCP pairs from the raw bindings, the way the socket layer will:
 * every fd non-blocking and close-on-exec from its creating call, waits done with epoll.
 */
final class Loopback {

    /** A connected pair and the listener it came from. */
    record Connection(int listener, int client, int server, InetSocketAddress serverAddress) {
    }

    /**
     * A guard against a hang if a test is broken; never reached when the code works. Waiting
     * longer never changes an outcome, so this does not order anything.
     */
    static final int HANG_GUARD_MILLIS = 30_000;

    private Loopback() {
    }

    /** Opens a listener on {@code ip} port 0, connects a client to it and accepts the server side. */
    static Connection open(TestResources fds, Arena arena, InetAddress ip) {
        int listener = listen(fds, arena, ip);
        InetSocketAddress address = localAddress(listener, arena);
        int client = connect(fds, arena, address);
        int server = accept(fds, arena, listener);
        return new Connection(listener, client, server, address);
    }

    static int family(InetAddress ip) {
        return ip instanceof Inet6Address ? LinuxConstants.AF_INET6 : LinuxConstants.AF_INET;
    }

    static int listen(TestResources fds, Arena arena, InetAddress ip) {
        int fd = fds.add(LibC.socket(family(ip), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
        MemorySegment address = SockAddr.allocate(arena);
        int length = SockAddr.encode(new InetSocketAddress(ip, 0), address);
        assertEquals(0, LibC.bind(fd, address, length), "bind");
        assertEquals(0, LibC.listen(fd, 16), "listen");
        return fd;
    }

    static InetSocketAddress localAddress(int fd, Arena arena) {
        MemorySegment address = SockAddr.allocate(arena);
        assertEquals(0, LibC.getsockname(fd, address), "getsockname");
        return SockAddr.decode(address);
    }

    /** A non-blocking client connected to {@code to}: waits for EPOLLOUT if connect is in progress. */
    static int connect(TestResources fds, Arena arena, InetSocketAddress to) {
        int fd = fds.add(LibC.socket(family(to.getAddress()), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
                "socket");
        MemorySegment address = SockAddr.allocate(arena);
        int r = LibC.connect(fd, address, SockAddr.encode(to, address));
        if (r == -Errno.EINPROGRESS) {
            awaitEvents(fd, EPOLLOUT);
            r = (int) -LibC.getsockoptInt(fd, SOL_SOCKET, SO_ERROR);
        }
        int result = r;
        assertEquals(0, result, () -> "connect: " + Errno.name(-result));
        return fd;
    }

    /** Accepts one connection (waiting for the listener to become readable), non-blocking and close-on-exec. */
    static int accept(TestResources fds, Arena arena, int listener) {
        awaitEvents(listener, EPOLLIN);
        return fds.add(LibC.accept4(listener, SockAddr.allocate(arena), SOCK_NONBLOCK | SOCK_CLOEXEC), "accept4");
    }

    /**
     * Waits, level-triggered, until {@code fd} reports one of {@code events} (or an error) and returns
     * the reported bits. Uses a temporary epoll instance that it closes again.
     */
    static int awaitEvents(int fd, int events) {
        int epfd = LibC.epollCreate1(EPOLL_CLOEXEC);
        assertTrue(epfd >= 0, () -> "epoll_create1: " + Errno.name(-epfd));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(0, LibC.epollCtl(epfd, EPOLL_CTL_ADD, fd, events, fd), "epoll_ctl");
            MemorySegment out = EpollEvent.allocateArray(arena, 1);
            int n = LibC.epollWait(epfd, out, 1, HANG_GUARD_MILLIS);
            assertEquals(1, n, "fd " + fd + " not ready for " + Integer.toHexString(events)
                    + " within the hang guard (or epoll_wait failed)");
            int ready = EpollEvent.events(out, 0);
            assertTrue((ready & (events | EPOLLERR)) != 0, "unexpected events " + Integer.toHexString(ready));
            return ready;
        } finally {
            assertEquals(0, LibC.close(epfd), "close(epfd)");
        }
    }

    /** Reads exactly {@code length} bytes from a non-blocking fd, waiting for readability on EAGAIN. */
    static byte[] readFully(int fd, int length) {
        byte[] data = new byte[length];
        int done = 0;
        while (done < length) {
            int r = LibC.read(fd, data, done, length - done);
            if (r == -Errno.EAGAIN) {
                awaitEvents(fd, EPOLLIN);
                continue;
            }
            int got = r;
            assertTrue(got > 0, () -> "read: " + (got == 0 ? "EOF" : Errno.name(-got)));
            done += got;
        }
        return data;
    }

    /** Writes all of {@code data} to an fd whose send buffer is known to have room. */
    static void writeAll(int fd, byte[] data) {
        assertEquals(data.length, LibC.write(fd, data, 0, data.length), "write");
    }
}
