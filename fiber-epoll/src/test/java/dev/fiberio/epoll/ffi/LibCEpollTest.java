package dev.fiberio.epoll.ffi;

import static dev.fiberio.nativeio.ffi.LinuxConstants.EFD_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EFD_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLIN;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLLRDHUP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLL_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLL_CTL_ADD;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLL_CTL_DEL;
import static dev.fiberio.nativeio.ffi.LinuxConstants.EPOLL_CTL_MOD;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.FdCountCheck;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.Loopback;
import dev.fiberio.nativeio.ffi.TestResources;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** epoll_create1, epoll_ctl and epoll_wait with sockets and an eventfd. */
@ExtendWith(FdCountCheck.class)
class LibCEpollTest {

    private static final long TOKEN = 0x8BAD_F00D_0000_002AL;

    private final TestResources fds = new TestResources();
    private final Arena arena = fds.arena();
    private final MemorySegment events = EpollEvent.allocateArray(arena, 4);

    @AfterEach
    void closeEverything() {
        fds.closeAll();
    }

    private int newEpoll() {
        return fds.add(LibEpoll.epollCreate1(EPOLL_CLOEXEC), "epoll_create1");
    }

    private Loopback.Connection connection() throws IOException {
        return Loopback.open(fds, arena, InetAddress.getByName("127.0.0.1"));
    }

    /** Blocks (up to the hang guard) for events; asserts exactly one arrived and returns its data. */
    private long waitForOne(int epfd) {
        assertEquals(1, LibEpoll.epollWait(epfd, events, 4, Loopback.HANG_GUARD_MILLIS), "one event");
        return EpollEvent.data(events, 0);
    }

    @Test
    void epollAndEventFdsAreCreatedWithTheirFlags() {
        int epfd = newEpoll();
        int efd = fds.add(LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd");

        assertEquals(LinuxConstants.FD_CLOEXEC, LibC.fcntl(epfd, LinuxConstants.F_GETFD) & LinuxConstants.FD_CLOEXEC);
        assertEquals(LinuxConstants.FD_CLOEXEC, LibC.fcntl(efd, LinuxConstants.F_GETFD) & LinuxConstants.FD_CLOEXEC);
        assertEquals(LinuxConstants.O_NONBLOCK, LibC.fcntl(efd, LinuxConstants.F_GETFL) & LinuxConstants.O_NONBLOCK);
    }

    @Test
    void edgeTriggeredRegistrationReportsItsTokenOncePerEdge() throws IOException {
        Loopback.Connection c = connection();
        int epfd = newEpoll();
        assertEquals(0, LibEpoll.epollCtl(epfd, EPOLL_CTL_ADD, c.server(), EPOLLIN | EPOLLRDHUP | EPOLLET, TOKEN));
        assertEquals(0, LibEpoll.epollWait(epfd, events, 4, 0), "nothing to read yet");

        Loopback.writeAll(c.client(), new byte[] {'x'});
        assertEquals(TOKEN, waitForOne(epfd));
        assertEquals(EPOLLIN, EpollEvent.events(events, 0));
        assertEquals(0, LibEpoll.epollWait(epfd, events, 4, 0), "edge-triggered: unread data is not reported again");

        Loopback.writeAll(c.client(), new byte[] {'y'});
        assertEquals(TOKEN, waitForOne(epfd), "new data is a new edge");
        assertEquals("xy", new String(Loopback.readFully(c.server(), 2), StandardCharsets.US_ASCII));
    }

    @Test
    void peerShutdownIsReportedAsReadHangUp() throws IOException {
        Loopback.Connection c = connection();
        int epfd = newEpoll();
        assertEquals(0, LibEpoll.epollCtl(epfd, EPOLL_CTL_ADD, c.server(), EPOLLIN | EPOLLRDHUP | EPOLLET, TOKEN));

        assertEquals(0, LibC.shutdown(c.client(), LinuxConstants.SHUT_WR));

        assertEquals(TOKEN, waitForOne(epfd));
        assertEquals(EPOLLRDHUP, EpollEvent.events(events, 0) & EPOLLRDHUP);
        assertEquals(0, LibC.read(c.server(), new byte[1], 0, 1), "end of stream");
    }

    @Test
    void modifyReplacesTheTokenAndDeleteStopsEvents() throws IOException {
        Loopback.Connection c = connection();
        int epfd = newEpoll();
        assertEquals(0, LibEpoll.epollCtl(epfd, EPOLL_CTL_ADD, c.server(), EPOLLIN, 1L));
        assertEquals(-Errno.EEXIST, LibEpoll.epollCtl(epfd, EPOLL_CTL_ADD, c.server(), EPOLLIN, 3L));
        assertEquals(0, LibEpoll.epollCtl(epfd, EPOLL_CTL_MOD, c.server(), EPOLLIN, 2L));

        Loopback.writeAll(c.client(), new byte[] {'z'});
        assertEquals(2L, waitForOne(epfd));
        assertEquals(2L, waitForOne(epfd), "level-triggered: unread data is reported again");

        assertEquals(0, LibEpoll.epollCtl(epfd, EPOLL_CTL_DEL, c.server(), 0, 0L));
        assertEquals(0, LibEpoll.epollWait(epfd, events, 4, 0), "no events after EPOLL_CTL_DEL");
        assertEquals(-Errno.ENOENT, LibEpoll.epollCtl(epfd, EPOLL_CTL_DEL, c.server(), 0, 0L));
    }

    @Test
    void eventfdWakesABlockedEpollWait() throws InterruptedException {
        int efd = fds.add(LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd");
        int epfd = newEpoll();
        assertEquals(0, LibEpoll.epollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, TOKEN));
        AtomicLong seen = new AtomicLong();
        Thread waiter = Thread.ofPlatform().name("epoll-waiter").start(() -> {
            try (Arena own = Arena.ofConfined()) {
                MemorySegment out = EpollEvent.allocateArray(own, 1);
                int n = LibEpoll.epollWait(epfd, out, 1, Loopback.HANG_GUARD_MILLIS);
                seen.set(n == 1 ? EpollEvent.data(out, 0) : n);
            }
        });

        MemorySegment counter = arena.allocate(JAVA_LONG);
        counter.set(JAVA_LONG, 0, 1L);
        assertEquals(8, LibC.write(efd, counter, 8));
        waiter.join();

        assertEquals(TOKEN, seen.get());
        counter.set(JAVA_LONG, 0, 0L);
        assertEquals(8, LibC.read(efd, counter, 8));
        assertEquals(1L, counter.get(JAVA_LONG, 0), "the eventfd counter");
        assertEquals(-Errno.EAGAIN, LibC.read(efd, counter, 8), "reading reset the counter");
    }

    @Test
    void invalidCallsReturnMinusErrno() {
        int epfd = newEpoll();

        assertEquals(-Errno.EINVAL, LibEpoll.epollCtl(epfd, EPOLL_CTL_ADD, epfd, EPOLLIN, 0L), "epoll cannot watch itself");
        assertEquals(-Errno.EBADF, LibEpoll.epollCtl(epfd, EPOLL_CTL_ADD, -1, EPOLLIN, 0L));
        assertEquals(-Errno.EBADF, LibEpoll.epollWait(-1, events, 4, 0));
        assertEquals(-Errno.EINVAL, LibEpoll.epollCreate1(-1), "unknown flags");
        assertThrows(IndexOutOfBoundsException.class, () -> LibEpoll.epollWait(epfd, events, 5, 0));
    }
}
