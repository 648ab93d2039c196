package dev.fiberio.epoll;

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
import java.util.Locale;
import java.util.Objects;

/**
 * The Linux backend: sockets on epoll through FFM. Available on Linux when libc's epoll functions
 * link; otherwise {@link #unavailabilityCause()} says why.
 */
public final class EpollNetProvider implements NetProvider {
    private static final Throwable UNAVAILABILITY = probe();

    /** Creates the provider (for {@link java.util.ServiceLoader}). */
    public EpollNetProvider() {
    }

    private static Throwable probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return new UnsupportedOperationException("epoll needs Linux; this is " + System.getProperty("os.name"));
        }
        try {
            Class.forName("dev.fiberio.nativeio.ffi.LibC", true, EpollNetProvider.class.getClassLoader());
            return null;
        } catch (Throwable t) {
            return new UnsupportedOperationException("epoll bindings failed to load: " + t, t);
        }
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public boolean isAvailable() {
        return UNAVAILABILITY == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        return UNAVAILABILITY;
    }

    @Override
    public SocketHandle openSocket(ProtocolFamily family) throws IOException {
        return EpollSocket.open(streamAf(family));
    }

    @Override
    public ServerSocketHandle openServerSocket(ProtocolFamily family) throws IOException {
        return EpollServerSocket.open(streamAf(family));
    }

    /** Stream sockets also come in AF_UNIX. */
    private static int streamAf(ProtocolFamily family) {
        return family == StandardProtocolFamily.UNIX ? AF_UNIX : af(family);
    }

    @Override
    public DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        return EpollDatagram.open(af(family));
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
        return EpollChannel.OPEN_FDS.get();
    }

    /**
     * Readiness events the epoll pollers dropped because they named a socket that was closed after
     * the kernel queued them — possibly while its descriptor number already belonged to a new socket
     * (diagnostics and tests).
     *
     * @return the count since the JVM started, over every poller
     */
    public static long staleEventsDropped() {
        return EpollPoller.ALL_STALE_EVENTS.sum();
    }
}
