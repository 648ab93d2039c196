package dev.fiberio.nativeio.ffi;

import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLERR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLIN;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLOUT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOL_SOCKET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_ERROR;
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
public final class Loopback {

    /** A connected pair and the listener it came from. */
    public record Connection(int listener, int client, int server, InetSocketAddress serverAddress) {
    }

    /**
     * A guard against a hang if a test is broken; never reached when the code works. Waiting
     * longer never changes an outcome, so this does not order anything.
     */
    public static final int HANG_GUARD_MILLIS = 30_000;

    private Loopback() {
    }

    /** Opens a listener on {@code ip} port 0, connects a client to it and accepts the server side. */
    public static Connection open(TestResources fds, Arena arena, InetAddress ip) {
        int listener = listen(fds, arena, ip);
        InetSocketAddress address = localAddress(listener, arena);
        int client = connect(fds, arena, address);
        int server = accept(fds, arena, listener);
        return new Connection(listener, client, server, address);
    }

    public static int family(InetAddress ip) {
        return ip instanceof Inet6Address ? LinuxConstants.AF_INET6 : LinuxConstants.AF_INET;
    }

    public static int listen(TestResources fds, Arena arena, InetAddress ip) {
        int fd = fds.add(LibC.socket(family(ip), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
        MemorySegment address = SockAddr.allocate(arena);
        int length = SockAddr.encode(new InetSocketAddress(ip, 0), address);
        assertEquals(0, LibC.bind(fd, address, length), "bind");
        assertEquals(0, LibC.listen(fd, 16), "listen");
        return fd;
    }

    public static InetSocketAddress localAddress(int fd, Arena arena) {
        MemorySegment address = SockAddr.allocate(arena);
        assertEquals(0, LibC.getsockname(fd, address), "getsockname");
        return SockAddr.decode(address);
    }

    /** A non-blocking client connected to {@code to}: waits for EPOLLOUT if connect is in progress. */
    public static int connect(TestResources fds, Arena arena, InetSocketAddress to) {
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
    public static int accept(TestResources fds, Arena arena, int listener) {
        awaitEvents(listener, EPOLLIN);
        return fds.add(LibC.accept4(listener, SockAddr.allocate(arena), SOCK_NONBLOCK | SOCK_CLOEXEC), "accept4");
    }

    /** {@code poll(2)}, linked for the tests; {@code struct pollfd} is {int fd; short events; short revents;}. */
    private static final java.lang.invoke.MethodHandle POLL = LibC.link("poll", java.lang.foreign.FunctionDescriptor.of(
            java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS,
            java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_INT));

    /**
     * Waits until {@code fd} reports one of {@code events} (or an error) and returns the reported
     * bits, with {@code poll(2)}: POLLIN, POLLOUT and POLLERR have the values of their EPOLL twins.
     */
    public static int awaitEvents(int fd, int events) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4);
            pollfd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, (short) events);
            CallScratch s = CallScratch.current();
            int n;
            try {
                n = LibC.result((int) POLL.invokeExact(s.capture(), pollfd, 1L, HANG_GUARD_MILLIS), s);
            } catch (Throwable t) {
                throw LibC.unchecked(t);
            }
            assertEquals(1, n, "fd " + fd + " not ready for " + Integer.toHexString(events)
                    + " within the hang guard (or poll failed)");
            int ready = pollfd.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 6) & 0xffff;
            assertTrue((ready & (events | EPOLLERR)) != 0, "unexpected events " + Integer.toHexString(ready));
            return ready;
        }
    }

    /** Reads exactly {@code length} bytes from a non-blocking fd, waiting for readability on EAGAIN. */
    public static byte[] readFully(int fd, int length) {
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
    public static void writeAll(int fd, byte[] data) {
        assertEquals(data.length, LibC.write(fd, data, 0, data.length), "write");
    }
}
