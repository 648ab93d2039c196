package dev.fiberio.epoll;

import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The smallest real {@link EpollChannel} for jcstress: an eventfd (one descriptor, no network)
 * registered with a shared poller that nobody polls, so that no readiness event ever reaches its slots
 * and every wake-up a test sees comes from the racing actors. Closing it releases the descriptor.
 */
final class StressChannel extends EpollChannel {
    /**
     * Shared by every instance; never polled, so it delivers nothing but what a test dispatches
     * itself. Lives as long as the JVM.
     */
    static final EpollPoller SILENT = StressPollers.open();

    private StressChannel(int fd) throws IOException {
        super(fd, LinuxConstants.AF_INET, SILENT);
    }

    /**
     * A new channel on a fresh non-blocking, close-on-exec eventfd.
     *
     * @return the channel, open
     */
    static StressChannel open() {
        int fd = LibC.eventfd(0, LinuxConstants.EFD_NONBLOCK | LinuxConstants.EFD_CLOEXEC);
        try {
            if (fd < 0) {
                throw Errno.toException("eventfd", -fd);
            }
            return new StressChannel(fd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
