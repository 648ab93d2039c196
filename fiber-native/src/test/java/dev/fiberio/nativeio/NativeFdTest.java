package dev.fiberio.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NativeFdTest {

    private static int newFd() {
        int fd = LibC.eventfd(0, LinuxConstants.EFD_CLOEXEC | LinuxConstants.EFD_NONBLOCK);
        assertTrue(fd >= 0, "eventfd: " + fd);
        return fd;
    }

    private static boolean isOpen(int fd) {
        int r = LibC.fcntl(fd, LinuxConstants.F_GETFD);
        if (r < 0) {
            assertEquals(-Errno.EBADF, r);
            return false;
        }
        return true;
    }

    @Test
    void closeWhenIdleClosesTheDescriptorAtOnce() {
        AtomicInteger closes = new AtomicInteger();
        NativeFd fd = new NativeFd(newFd(), closes::incrementAndGet);
        assertTrue(fd.close());
        assertFalse(isOpen(fd.fd));
        assertEquals(1, closes.get());
        assertFalse(fd.close(), "second close is a no-op");
        assertFalse(fd.acquire(), "no operation starts on a closed descriptor");
        assertEquals(1, closes.get());
    }

    @Test
    void closeDuringAnOperationIsDeferredToTheLastRelease() {
        AtomicInteger closes = new AtomicInteger();
        NativeFd fd = new NativeFd(newFd(), closes::incrementAndGet);
        assertTrue(fd.acquire());
        assertTrue(fd.acquire());
        assertTrue(fd.close());
        assertTrue(fd.isClosed());
        assertTrue(isOpen(fd.fd), "the number stays ours while operations run");
        fd.release();
        assertTrue(isOpen(fd.fd));
        assertEquals(0, closes.get());
        fd.release();
        assertFalse(isOpen(fd.fd));
        assertEquals(1, closes.get());
    }

    @Test
    void racingOperationsAndCloseCloseExactlyOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            AtomicInteger closes = new AtomicInteger();
            NativeFd fd = new NativeFd(newFd(), closes::incrementAndGet);
            int threads = 4;
            CyclicBarrier start = new CyclicBarrier(threads + 1);
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    await(start);
                    for (int i = 0; i < 1000 && fd.acquire(); i++) {
                        assertTrue(isOpen(fd.fd), "an acquired descriptor is never closed under us");
                        fd.release();
                    }
                });
                th.start();
                all.add(th);
            }
            await(start);
            fd.close();
            for (Thread th : all) {
                th.join();
            }
            assertEquals(1, closes.get(), "round " + round);
        }
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
