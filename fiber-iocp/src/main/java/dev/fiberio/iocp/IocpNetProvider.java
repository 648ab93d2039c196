package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static dev.fiberio.iocp.win32.Win32Constants.AF_INET6;

import dev.fiberio.iocp.win32.Win32;
import dev.fiberio.iocp.win32.Win32Native;
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
 * The Windows backend: sockets on an I/O completion port polled by several threads, through the
 * FFM bindings of {@link Win32Native}. Name {@code "iocp"}, priority 100.
 *
 * <p>Available on Windows when the bindings link; elsewhere {@link #unavailabilityCause()} says
 * that IOCP needs Windows. The public constructor does no I/O: the bindings are linked by the first
 * instance on Windows, and Winsock, the port and its poller threads start with the first socket,
 * once per process (the system properties of {@link IocpConfig} size them). Tests build a provider on any {@link Win32}, such
 * as the in-memory fake, with the package-private constructor; such a provider has its own group
 * and is closed with {@link #close()}.
 */
public final class IocpNetProvider implements NetProvider {
    private final Win32 win32;
    private final Throwable unavailability;
    private final boolean shared;
    private final IocpConfig config;
    private volatile IocpGroup group;

    /** Creates the provider (for {@link java.util.ServiceLoader}); never throws. */
    public IocpNetProvider() {
        this.shared = true;
        this.config = IocpConfig.fromSystemProperties();
        Throwable cause = null;
        Win32 bindings = null;
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("windows")) {
            cause = new UnsupportedOperationException("IOCP needs Windows (I/O completion ports are a Windows kernel "
                    + "feature); this is " + os + ". Use the epoll provider on Linux or nio elsewhere.");
        } else {
            try {
                bindings = SharedBindings.get();
            } catch (RuntimeException | LinkageError e) {
                cause = new UnsupportedOperationException("the IOCP bindings (ws2_32.dll, kernel32.dll) failed to link: " + e, e);
            }
        }
        this.win32 = bindings;
        this.unavailability = cause;
    }

    /**
     * A provider on {@code win32} with its own completion port and poller threads (tests).
     *
     * @param win32      the bindings, e.g. {@code FakeWin32}
     * @param pollers    poller threads on its port; 0 for none (the test polls)
     * @param bufferSize the data buffer size of read and write records
     */
    IocpNetProvider(Win32 win32, int pollers, int bufferSize) {
        this(win32, IocpConfig.of(pollers, bufferSize));
    }

    /**
     * A provider on {@code win32} with its own completion port (tests).
     *
     * @param win32  the bindings, e.g. {@code FakeWin32}
     * @param config its sizes and bounds
     */
    IocpNetProvider(Win32 win32, IocpConfig config) {
        this.win32 = Objects.requireNonNull(win32, "win32");
        this.unavailability = null;
        this.shared = false;
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public String name() {
        return "iocp";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public boolean isAvailable() {
        return unavailability == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        return unavailability;
    }

    @Override
    public SocketHandle openSocket(ProtocolFamily family) throws IOException {
        int af = af(family);
        return IocpSocket.open(group(), af);
    }

    /**
     * A UDP socket: WSARecvFrom/WSASendTo on the completion port (see {@link IocpDatagram}).
     *
     * @param family {@code INET} or {@code INET6}
     * @return the handle, unbound
     * @throws UnsupportedOperationException for another family
     */
    @Override
    public DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        int af = af(family);
        return IocpDatagram.open(group(), af);
    }

    @Override
    public ServerSocketHandle openServerSocket(ProtocolFamily family) throws IOException {
        int af = af(family);
        return IocpServerSocket.open(group(), af);
    }

    /**
     * The running group, started on first use: the process-wide one for the public constructor,
     * this provider's own otherwise.
     */
    IocpGroup group() throws IOException {
        if (unavailability != null) {
            throw new IOException("the IOCP provider is unavailable: " + unavailability.getMessage(), unavailability);
        }
        IocpGroup g = group;
        if (g == null) {
            synchronized (this) { // short: WSAStartup, CreateIoCompletionPort, thread starts; never suspends
                g = group;
                if (g == null) {
                    g = shared ? SharedGroup.get(win32, config) : IocpGroup.start(win32, "fiberio-iocp-own", config);
                    group = g;
                }
            }
        }
        return g;
    }

    /** Stops this provider's own group (tests); the process-wide group of the public constructor lives on. */
    void close() {
        IocpGroup g = group;
        if (g != null && !shared) {
            g.close();
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

    @Override
    public String toString() {
        return "IocpNetProvider[iocp, priority 100" + (isAvailable() ? "" : ", unavailable") + "]";
    }

    /** The real bindings, linked once per process (class initialisation is the lock). */
    private static final class SharedBindings {
        private static final Win32 BINDINGS = Win32Native.load();

        static Win32 get() {
            return BINDINGS;
        }
    }

    /** The process-wide group; its poller threads are daemons that live as long as the JVM. */
    private static final class SharedGroup {
        private static IocpGroup group;

        static synchronized IocpGroup get(Win32 win32, IocpConfig config) throws IOException {
            if (group == null) {
                group = IocpGroup.start(win32, "fiberio-iocp", config);
            }
            return group;
        }
    }
}
