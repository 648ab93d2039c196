package dev.fiberio.uring;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.nativeio.ffi.CallScratch;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.LinuxConstants;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code socketpair(AF_UNIX, SOCK_STREAM)}: two connected stream sockets without a listener. One end sees
 * the end of the stream (or a reset) once the other end's file is released (its descriptor closed and no
 * io_uring request holding it), which is how the tests see that a close left nothing behind.
 */
final class SocketPair {
    private static final MethodHandle SOCKETPAIR = LibC.link("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private SocketPair() {
    }

    /**
     * Opens a pair, non-blocking and close-on-exec.
     *
     * @return the two descriptors; the caller owns both
     */
    static int[] open() {
        CallScratch s = CallScratch.current();
        // Owner: this call (confined arena): the kernel writes the two descriptors during the call only.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            int r = LibC.result((int) SOCKETPAIR.invokeExact(s.capture(), LinuxConstants.AF_UNIX,
                    LinuxConstants.SOCK_STREAM | LinuxConstants.SOCK_NONBLOCK | LinuxConstants.SOCK_CLOEXEC, 0, sv), s);
            if (r < 0) {
                throw new UncheckedIOException(Errno.toException("socketpair", -r));
            }
            return new int[] {sv.getAtIndex(JAVA_INT, 0), sv.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw LibC.unchecked(t);
        }
    }

    /**
     * Waits until the other end of {@code fd}'s pair is released: a non-blocking receive then says end of
     * stream, or "connection reset" if that end was closed with bytes unread. The release follows the last
     * reference to the other end's file, and io_uring drops a request's reference just after posting its
     * completion (in task work, on the thread that submitted it), so it may come a moment after the
     * completion was reaped; {@code bound} only ends the wait for a file that is never released.
     *
     * @param fd    one end, whose other end never sends
     * @param bound the longest wait, in nanoseconds
     * @return true once released; false if the other end was still open after {@code bound}
     */
    static boolean otherEndReleased(int fd, long bound) {
        int received = receivedBeforeRelease(fd, (byte) 0, bound);
        if (received > 0 || received == -2) {
            throw new IllegalStateException("the other end sent bytes");
        }
        return received == 0;
    }

    /**
     * As {@link #otherEndReleased}, counting the bytes that arrive before the end of stream.
     *
     * @param fd       one end, whose other end may send bytes {@code expected}
     * @param expected the only byte the other end sends
     * @param bound    the longest wait, in nanoseconds
     * @return the bytes received before the end of stream; -1 if the other end was still open after
     *         {@code bound}; -2 if another byte came
     */
    static int receivedBeforeRelease(int fd, byte expected, long bound) {
        long end = System.nanoTime() + bound;
        int received = 0;
        // Owner: this call (confined arena): recv writes into it during the calls only.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(1);
            for (;;) {
                long r = LibC.recv(fd, b, 1, LinuxConstants.MSG_DONTWAIT);
                if (r > 0) {
                    if (b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) != expected) {
                        return -2;
                    }
                    received++;
                    continue;
                }
                if (r == 0 || r == -Errno.ECONNRESET) {
                    return received;
                }
                if (r != -Errno.EAGAIN) {
                    throw new UncheckedIOException(Errno.toException("recv", (int) -r));
                }
                if (end - System.nanoTime() <= 0) {
                    return -1;
                }
                Thread.yield();
            }
        }
    }

    /** Writes {@code bytes} to {@code fd} (a fresh socket: they fit its buffer). */
    static void send(int fd, byte... bytes) {
        int n = LibC.write(fd, bytes, 0, bytes.length);
        if (n != bytes.length) {
            throw new UncheckedIOException(new IOException("write to the socket pair: " + n));
        }
    }
}
