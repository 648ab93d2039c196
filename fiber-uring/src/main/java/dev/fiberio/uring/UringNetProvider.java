package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET6;
import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNIX;

import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.spi.ServerSocketHandle;
import dev.fiberio.net.spi.SocketHandle;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.Objects;

/**
 * The Linux io_uring backend ({@code -Dfiberio.net.provider=uring}). Its priority is below epoll's, so
 * epoll stays the default until io_uring is measured faster. {@link #unavailabilityCause()} says why
 * io_uring cannot be used here: not Linux, ENOSYS (no io_uring in the kernel), EPERM
 * ({@code kernel.io_uring_disabled}, or a seccomp profile such as Docker's default), or a kernel
 * without the features and opcodes this backend needs.
 */
public final class UringNetProvider implements NetProvider {
    /** Creates the provider (for {@link java.util.ServiceLoader}). */
    public UringNetProvider() {
    }

    @Override
    public String name() {
        return "uring";
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public boolean isAvailable() {
        return UringFeatures.get().cause == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        return UringFeatures.get().cause;
    }

    @Override
    public SocketHandle openSocket(ProtocolFamily family) throws IOException {
        requireAvailable();
        return UringSocket.open(streamAf(family));
    }

    /** A UDP socket on IORING_OP_RECVMSG/SENDMSG ({@link UringDatagram}). */
    @Override
    public DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        requireAvailable();
        return UringDatagram.open(af(family));
    }

    @Override
    public ServerSocketHandle openServerSocket(ProtocolFamily family) throws IOException {
        requireAvailable();
        return UringServerSocket.open(streamAf(family));
    }

    /** Stream sockets also come in AF_UNIX. */
    private static int streamAf(ProtocolFamily family) {
        return family == StandardProtocolFamily.UNIX ? AF_UNIX : af(family);
    }

    private static void requireAvailable() {
        Throwable cause = UringFeatures.get().cause;
        if (cause != null) {
            throw new UnsupportedOperationException("io_uring is unavailable: " + cause.getMessage(), cause);
        }
    }

    private static int af(ProtocolFamily family) {
        Objects.requireNonNull(family, "family");
        if (family == StandardProtocolFamily.INET) {
            return AF_INET;
        }
        if (family == StandardProtocolFamily.INET6) {
            return AF_INET6;
        }
        throw new UnsupportedOperationException("protocol family " + family + " not supported");
    }

    /**
     * Descriptors opened by this backend and not closed yet (diagnostics and leak tests).
     *
     * @return the count
     */
    public static long openDescriptors() {
        return UringChannel.OPEN_FDS.get();
    }

    /**
     * Operation records whose memory is not released yet (a record is released only after the kernel
     * completed its last operation).
     *
     * @return the count
     */
    public static long liveRecords() {
        return UringChannel.LIVE_RECORDS.get();
    }

    /**
     * Completions dropped because they named a record released since, or one with nothing in flight.
     *
     * @return the count since the JVM started
     */
    public static long staleCompletionsDropped() {
        return Ring.ALL_STALE.sum();
    }
}
