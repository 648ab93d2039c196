package dev.fiberio.nativeio.ffi;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET6;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPPROTO_IPV6;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPPROTO_TCP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_V6ONLY;
import static dev.fiberio.nativeio.ffi.LinuxConstants.RLIMIT_NOFILE;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_STREAM;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOL_SOCKET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_ERROR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_KEEPALIVE;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_LINGER;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_RCVBUF;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_REUSEADDR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_REUSEPORT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.TCP_NODELAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Socket options, resource limits, and errno capture being per thread. */
@ExtendWith(FdCountCheck.class)
class LibCOptionsTest {

    private final TestResources fds = new TestResources();
    private final Arena arena = fds.arena();

    @AfterEach
    void closeEverything() {
        fds.closeAll();
    }

    private int tcpSocket(int family) {
        return fds.add(LibC.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
    }

    private static void assertIntOption(int fd, int level, int name, int value) {
        assertEquals(0, LibC.setsockoptInt(fd, level, name, value), "setsockopt " + name);
        assertEquals(value, LibC.getsockoptInt(fd, level, name), "getsockopt " + name);
    }

    @Test
    void booleanOptionsRoundTrip() {
        int fd = tcpSocket(AF_INET);

        assertIntOption(fd, IPPROTO_TCP, TCP_NODELAY, 1);
        assertIntOption(fd, IPPROTO_TCP, TCP_NODELAY, 0);
        assertIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1);
        assertIntOption(fd, SOL_SOCKET, SO_REUSEPORT, 1);
        assertIntOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
        assertIntOption(tcpSocket(AF_INET6), IPPROTO_IPV6, IPV6_V6ONLY, 1);
    }

    @Test
    void receiveBufferSizeIsDoubledByTheKernel() {
        int fd = tcpSocket(AF_INET);

        assertEquals(0, LibC.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, 4096));
        assertEquals(8192, LibC.getsockoptInt(fd, SOL_SOCKET, SO_RCVBUF), "socket(7): the kernel doubles the value");
    }

    @Test
    void lingerStructRoundTrips() {
        int fd = tcpSocket(AF_INET);
        MemorySegment linger = Linger.allocate(arena);
        Linger.set(linger, true, 7);

        assertEquals(0, LibC.setsockopt(fd, SOL_SOCKET, SO_LINGER, linger));
        MemorySegment readBack = Linger.allocate(arena);
        assertEquals(0, LibC.getsockopt(fd, SOL_SOCKET, SO_LINGER, readBack));
        assertTrue(Linger.enabled(readBack));
        assertEquals(7, Linger.seconds(readBack));

        Linger.set(linger, false, 0);
        assertEquals(0, LibC.setsockopt(fd, SOL_SOCKET, SO_LINGER, linger));
        assertEquals(0, LibC.getsockopt(fd, SOL_SOCKET, SO_LINGER, readBack));
        assertFalse(Linger.enabled(readBack));
    }

    @Test
    void optionFailuresReturnMinusErrno() {
        int efd = fds.add(LibC.eventfd(0, LinuxConstants.EFD_CLOEXEC), "eventfd");

        assertEquals(0, LibC.getsockoptInt(tcpSocket(AF_INET), SOL_SOCKET, SO_ERROR), "no pending error");
        assertEquals(-Errno.EBADF, LibC.getsockoptInt(-1, SOL_SOCKET, SO_ERROR));
        assertEquals(-Errno.EBADF, LibC.setsockoptInt(-1, SOL_SOCKET, SO_REUSEADDR, 1));
        assertEquals(-Errno.ENOTSOCK, LibC.getsockoptInt(efd, SOL_SOCKET, SO_ERROR));
        assertEquals(-Errno.ENOTSOCK, LibC.listen(efd, 1));
        assertEquals(-Errno.EAFNOSUPPORT, LibC.socket(12345, SOCK_STREAM, 0));
        assertEquals(-Errno.EBADF, LibC.fcntl(-1, LinuxConstants.F_GETFD));
    }

    @Test
    void fileLimitCanBeReadAndWrittenBack() {
        MemorySegment limit = RLimit.allocate(arena);
        assertEquals(0, LibC.getrlimit(RLIMIT_NOFILE, limit));
        long soft = RLimit.current(limit);
        long hard = RLimit.maximum(limit);
        assertTrue(soft > 0 && Long.compareUnsigned(soft, hard) <= 0, "soft " + soft + ", hard " + hard);

        assertEquals(0, LibC.setrlimit(RLIMIT_NOFILE, limit), "setting the same limits");
        if (hard != LinuxConstants.RLIM_INFINITY) {
            RLimit.set(limit, hard + 1, hard);
            assertEquals(-Errno.EINVAL, LibC.setrlimit(RLIMIT_NOFILE, limit), "soft above hard");
        }
        MemorySegment after = RLimit.allocate(arena);
        assertEquals(0, LibC.getrlimit(RLIMIT_NOFILE, after));
        assertEquals(soft, RLimit.current(after));
        assertEquals(hard, RLimit.maximum(after));
    }

    /**
     * Two threads fail different calls at the same time; a shared capture segment would let one see
     * the other's errno. The outcome does not depend on how the threads interleave.
     */
    @Test
    void errnoIsCapturedPerThread() throws InterruptedException {
        AtomicInteger wrong = new AtomicInteger();
        Thread badFd = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 20_000; i++) {
                if (LibC.close(-1) != -Errno.EBADF) {
                    wrong.incrementAndGet();
                }
            }
        });
        Thread badFamily = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 20_000; i++) {
                if (LibC.socket(12345, SOCK_STREAM, 0) != -Errno.EAFNOSUPPORT) {
                    wrong.incrementAndGet();
                }
            }
        });
        badFd.join();
        badFamily.join();

        assertEquals(0, wrong.get(), "calls that saw another thread's errno");
    }
}
