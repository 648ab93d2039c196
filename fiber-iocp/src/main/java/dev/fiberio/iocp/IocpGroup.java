package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.INVALID_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.IPPROTO_TCP;
import static dev.fiberio.iocp.win32.Win32Constants.SOCKET_ERROR;
import static dev.fiberio.iocp.win32.Win32Constants.SOCK_STREAM;
import static dev.fiberio.iocp.win32.Win32Constants.WINSOCK_VERSION_2_2;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_FLAG_NO_HANDLE_INHERIT;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_FLAG_OVERLAPPED;

import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.iocp.win32.Win32;
import dev.fiberio.iocp.win32.Win32Error;
import dev.fiberio.iocp.win32.WsaData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the IOCP sockets of one {@link Win32} share: Winsock started once, one
 * {@link CompletionPort} polled by {@code pollers} {@link PollerThread}s at once, the
 * {@link RecordPool} of operation records, and the once-per-process loading of the extension
 * functions (AcceptEx, ConnectEx, GetAcceptExSockaddrs).
 *
 * <p>Sizes: system property {@value #POLLERS_PROPERTY} (default {@code min(2, processors)}) and
 * {@value #BUFFER_PROPERTY} (the data buffer of each read and write record, default 16 KiB).
 *
 * <p>Threads: created by one thread (the provider serialises it), then used by any. {@link #close()}
 * closes the port, which ends every poller thread through the port's closing chain, joins them and
 * calls WSACleanup. Records still owned by the kernel then (sockets left open) are never freed: an
 * abandoned socket keeps its memory rather than risk the kernel writing into freed memory.
 */
final class IocpGroup implements AutoCloseable {
    /** System property: the number of poller threads on the port. */
    static final String POLLERS_PROPERTY = "fiberio.iocp.pollers";
    /** System property: the data buffer size of a read or write record, in bytes. */
    static final String BUFFER_PROPERTY = "fiberio.iocp.bufferSize";

    private static final Logger LOG = LoggerFactory.getLogger(IocpGroup.class);
    private static final int DEFAULT_BUFFER = 16 * 1024;
    private static final int MAX_IDLE_RECORDS = 256;

    final Win32 win32;
    final CompletionPort port;
    final RecordPool records;
    private final List<PollerThread> threads = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean extensionsLoaded;

    private IocpGroup(Win32 win32, CompletionPort port, RecordPool records) {
        this.win32 = win32;
        this.port = port;
        this.records = records;
    }

    /**
     * Starts Winsock, creates the port and starts the poller threads.
     *
     * @param win32      the bindings
     * @param name       prefix of the poller threads' names
     * @param pollers    the number of poller threads; 0 starts none (tests drive an {@link IocpPoller} themselves)
     * @param bufferSize the data buffer size of read and write records
     * @return the running group
     * @throws IOException if WSAStartup or CreateIoCompletionPort failed
     */
    static IocpGroup start(Win32 win32, String name, int pollers, int bufferSize) throws IOException {
        // Owner: this call. WSAStartup writes the WSADATA before it returns; the GC frees it after.
        int error = win32.wsaStartup(WINSOCK_VERSION_2_2, Arena.ofAuto().allocate(WsaData.LAYOUT));
        if (error != 0) {
            throw Win32Error.exception("WSAStartup", error);
        }
        CompletionPort port;
        try {
            port = CompletionPort.create(win32, Math.max(1, pollers));
        } catch (IOException | RuntimeException e) {
            win32.wsaCleanup();
            throw e;
        }
        IocpGroup group = new IocpGroup(win32, port, new RecordPool(bufferSize, MAX_IDLE_RECORDS));
        for (int i = 0; i < pollers; i++) {
            group.threads.add(new PollerThread(name + "-" + i, new IocpPoller(win32, port)));
        }
        return group;
    }

    /** The configured number of poller threads: {@value #POLLERS_PROPERTY}, default {@code min(2, processors)}. */
    static int configuredPollers() {
        int n = Integer.getInteger(POLLERS_PROPERTY, Math.min(2, Runtime.getRuntime().availableProcessors()));
        return Math.max(1, n);
    }

    /** The configured record buffer size: {@value #BUFFER_PROPERTY}, default 16 KiB, at least 64 bytes. */
    static int configuredBufferSize() {
        return Math.max(64, Integer.getInteger(BUFFER_PROPERTY, DEFAULT_BUFFER));
    }

    /** The number of poller threads. */
    int pollers() {
        return threads.size();
    }

    /**
     * Creates an overlapped, non-inheritable TCP socket in one call (no window for a handle leak into
     * a child process).
     *
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @return the socket handle, owned by the caller
     * @throws IOException if WSASocketW failed
     */
    long newSocket(int family) throws IOException {
        long socket = win32.wsaSocket(family, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        if (socket == INVALID_SOCKET) {
            throw Win32Error.exception("WSASocketW", win32.lastError());
        }
        return socket;
    }

    /**
     * Loads AcceptEx, ConnectEx and GetAcceptExSockaddrs through {@code socket} unless done already.
     *
     * @param socket any TCP socket
     * @throws IOException if WSAIoctl failed
     */
    void ensureExtensions(long socket) throws IOException {
        if (extensionsLoaded) {
            return;
        }
        if (win32.loadExtensionFunctions(socket) == SOCKET_ERROR) {
            throw Win32Error.exception("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)", win32.lastError());
        }
        extensionsLoaded = true;
    }

    /** Closes the port, joins the poller threads and ends Winsock use. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        port.close();
        for (PollerThread t : threads) {
            t.close();
        }
        win32.wsaCleanup();
        long live = records.live();
        if (live > 0) {
            LOG.warn("IOCP group closed with {} operation records still in use (sockets left open)", live);
        }
    }
}
