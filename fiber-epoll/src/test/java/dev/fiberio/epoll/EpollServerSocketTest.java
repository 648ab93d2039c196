package dev.fiberio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import dev.fiberio.net.spi.Deadlines;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class EpollServerSocketTest {

    /**
     * Regression: when the registration of an accepted connection failed, its descriptor was closed by
     * the new socket and then again by accept. Between the two closes another thread may be handed the
     * same number, and the second close then closes that thread's descriptor. A squatter thread opens
     * and checks eventfds meanwhile; none of them may ever be closed under it.
     */
    @Test
    void anAcceptedConnectionWhoseRegistrationFailsIsClosedOnceNeverTwice() throws Exception {
        long openBefore = EpollChannel.OPEN_FDS.get();
        EpollPoller broken = new EpollPoller();
        broken.close(); // every registration with it fails
        List<String> squatterErrors = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread squatter = new Thread(() -> squat(stop, squatterErrors), "squatter");
        EpollPoller listenerPoller = new EpollPoller();
        PollerThread driver = new PollerThread("test-listener", listenerPoller);
        try {
            EpollServerSocket server = EpollServerSocket.open(LinuxConstants.AF_INET, listenerPoller, () -> broken);
            try {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
                int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
                squatter.start();
                for (int i = 0; i < 2000 && squatterErrors.isEmpty(); i++) {
                    Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
                    try {
                        assertThrows(IOException.class, () -> server.accept(Deadlines.NO_DEADLINE));
                    } finally {
                        client.close();
                    }
                }
            } finally {
                stop.set(true);
                squatter.join();
                server.close();
            }
        } finally {
            driver.close();
        }
        assertEquals(List.of(), squatterErrors, "descriptors of another thread were closed under it");
        assertEquals(openBefore, EpollChannel.OPEN_FDS.get(), "every descriptor was counted closed once");
    }

    /** Opens an eventfd, writes and reads it back, closes it; records any failure. */
    private static void squat(AtomicBoolean stop, List<String> errors) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(8);
            while (!stop.get()) {
                int fd = LibC.eventfd(0, LinuxConstants.EFD_NONBLOCK | LinuxConstants.EFD_CLOEXEC);
                assertTrue(fd >= 0, "eventfd: " + fd);
                value.set(ValueLayout.JAVA_LONG, 0, 42);
                long w = LibC.write(fd, value, 8);
                value.set(ValueLayout.JAVA_LONG, 0, 0);
                long r = LibC.read(fd, value, 8);
                if (w != 8 || r != 8 || value.get(ValueLayout.JAVA_LONG, 0) != 42) {
                    errors.add("fd " + fd + ": write " + w + ", read " + r + ", value " + value.get(ValueLayout.JAVA_LONG, 0));
                }
                LibC.close(fd);
            }
        }
    }
}
