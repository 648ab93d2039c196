package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static dev.fiberio.iocp.win32.Win32Constants.INVALID_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.IPPROTO_TCP;
import static dev.fiberio.iocp.win32.Win32Constants.IPPROTO_UDP;
import static dev.fiberio.iocp.win32.Win32Constants.SOCK_DGRAM;
import static dev.fiberio.iocp.win32.Win32Constants.SOCKET_ERROR;
import static dev.fiberio.iocp.win32.Win32Constants.SOCK_STREAM;
import static dev.fiberio.iocp.win32.Win32Constants.SOL_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.SO_PROTOCOL_INFOW;
import static dev.fiberio.iocp.win32.Win32Constants.WINSOCK_VERSION_2_2;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_FLAG_NO_HANDLE_INHERIT;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_FLAG_OVERLAPPED;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.iocp.win32.ProtocolInfo;
import dev.fiberio.iocp.win32.Win32;
import dev.fiberio.iocp.win32.Win32Error;
import dev.fiberio.iocp.win32.WsaData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the IOCP sockets of one {@link Win32} share: Winsock started once, one
 * {@link CompletionPort} polled by {@code pollers} {@link PollerThread}s at once, the
 * {@link RecordPool} of operation records, the once-per-process loading of the extension functions
 * (AcceptEx, ConnectEx, GetAcceptExSockaddrs), whether each address family's provider returns IFS
 * handles, and the thread that closes sockets on behalf of the poller threads.
 *
 * <p>Sizes and bounds: {@link IocpConfig}.
 *
 * <p><b>closesocket never runs on a poller thread</b> ({@link #closeSocket}): with SO_LINGER on and a
 * non-zero time it blocks, and the last user of a socket handle, or the release of a record whose
 * aborted operation was dequeued, may well be a poller. There it is handed to {@code closer}, a single
 * daemon thread started with the group and ended by {@link #close()} (started at once, not on demand,
 * so that a test's count of the process's handles does not see it come and go).
 *
 * <p>Threads: created by one thread (the provider serialises it), then used by any. {@link #close()}
 * closes the port, which ends every poller thread through the port's closing chain, joins them, lets
 * the closer finish and calls WSACleanup. Records still owned by the kernel then (sockets left open)
 * are never freed: an abandoned socket keeps its memory rather than risk the kernel writing into freed memory.
 */
final class IocpGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IocpGroup.class);
    private static final int MAX_IDLE_RECORDS = 256;

    final Win32 win32;
    final CompletionPort port;
    final RecordPool records;
    final IocpConfig config;
    private final List<PollerThread> threads = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ThreadPoolExecutor closer;
    /** Per family and type (index 0: AF_INET, 1: AF_INET6; +2 for UDP): null until asked, then whether its provider returns IFS handles. */
    private final AtomicReferenceArray<Boolean> ifsHandles = new AtomicReferenceArray<>(4);
    private volatile boolean extensionsLoaded;

    private IocpGroup(Win32 win32, CompletionPort port, RecordPool records, IocpConfig config, String name) {
        this.win32 = win32;
        this.port = port;
        this.records = records;
        this.config = config;
        this.closer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "-closer");
            t.setDaemon(true);
            return t;
        });
        closer.prestartCoreThread();
    }

    /**
     * Starts Winsock, creates the port and starts the poller threads.
     *
     * @param win32  the bindings
     * @param name   prefix of the threads' names
     * @param config sizes and bounds
     * @return the running group
     * @throws IOException if WSAStartup or CreateIoCompletionPort failed
     */
    static IocpGroup start(Win32 win32, String name, IocpConfig config) throws IOException {
        // Owner: this call. WSAStartup writes the WSADATA before it returns; the GC frees it after.
        int error = win32.wsaStartup(WINSOCK_VERSION_2_2, Arena.ofAuto().allocate(WsaData.LAYOUT));
        if (error != 0) {
            throw Win32Error.exception("WSAStartup", error);
        }
        CompletionPort port;
        try {
            port = CompletionPort.create(win32, Math.max(1, config.pollers()));
        } catch (IOException | RuntimeException e) {
            win32.wsaCleanup();
            throw e;
        }
        IocpGroup group = new IocpGroup(win32, port, new RecordPool(config.bufferSize(), MAX_IDLE_RECORDS), config, name);
        for (int i = 0; i < config.pollers(); i++) {
            group.threads.add(new PollerThread(name + "-" + i, new IocpPoller(win32, port)));
        }
        return group;
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
        return newSocket(family, SOCK_STREAM, IPPROTO_TCP);
    }

    /**
     * A new overlapped, non-inheritable UDP socket.
     *
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @return the handle, owned by the caller
     */
    long newDatagramSocket(int family) throws IOException {
        return newSocket(family, SOCK_DGRAM, IPPROTO_UDP);
    }

    private long newSocket(int family, int type, int protocol) throws IOException {
        long socket = win32.wsaSocket(family, type, protocol, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        if (socket == INVALID_SOCKET) {
            throw Win32Error.exception("WSASocketW", win32.lastError());
        }
        return socket;
    }

    /**
     * closesocket, here or, on a poller thread, on the closer thread; a failure is logged (the handle
     * is gone either way).
     *
     * @param socket a socket handle nobody uses any more
     */
    void closeSocket(long socket) {
        if (IocpPoller.onPollerThread()) {
            try {
                closer.execute(() -> closeNow(socket));
                return;
            } catch (RejectedExecutionException e) {
                // the group is closing: its pollers are leaving, closing here is the last chance
            }
        }
        closeNow(socket);
    }

    private void closeNow(long socket) {
        if (win32.closesocket(socket) != 0) {
            LOG.debug("closesocket({}) failed: {}", socket, Win32Error.name(win32.lastError()));
        }
    }

    /**
     * Whether the provider of {@code socket}'s family returns IFS handles
     * ({@code getsockopt(SO_PROTOCOL_INFOW)}, {@code XP1_IFS_HANDLES}), asked once per family: only then
     * may its sockets skip the completion packet of a synchronous success. A failed query counts as "no".
     *
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @param socket an open socket of that family
     */
    boolean ifsHandles(int family, long socket) {
        return ifsHandles(family, false, socket);
    }

    /**
     * Like {@link #ifsHandles(int, long)}, per family and socket type (TCP and UDP have catalog entries of
     * their own, which a layered provider may cover separately).
     */
    boolean ifsHandles(int family, boolean datagram, long socket) {
        int index = (family == AF_INET ? 0 : 1) + (datagram ? 2 : 0);
        Boolean known = ifsHandles.get(index);
        if (known != null) {
            return known;
        }
        // Owner: this call; getsockopt is synchronous, the GC frees the block afterwards.
        MemorySegment info = Arena.ofAuto().allocate(ProtocolInfo.LAYOUT);
        MemorySegment length = Arena.ofAuto().allocate(JAVA_INT);
        length.set(JAVA_INT, 0, (int) info.byteSize());
        boolean ifs;
        if (win32.getsockopt(socket, SOL_SOCKET, SO_PROTOCOL_INFOW, info, length) != 0) {
            LOG.debug("getsockopt(SO_PROTOCOL_INFOW) failed ({}): completion packets are not skipped",
                    Win32Error.name(win32.lastError()));
            ifs = false;
        } else {
            ifs = ProtocolInfo.ifsHandles(info);
            if (!ifs) {
                LOG.info("the Winsock provider of address family {} does not return IFS handles (a layered service "
                        + "provider is installed): every operation waits for its completion packet", family);
            }
        }
        ifsHandles.compareAndSet(index, null, ifs);
        return ifsHandles.get(index);
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

    /** Closes the port, joins the poller threads, lets the closer finish and ends Winsock use. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        port.close();
        for (PollerThread t : threads) {
            t.close();
        }
        closer.shutdown();
        try {
            if (!closer.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("IOCP group closed while closesocket calls are still running");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        win32.wsaCleanup();
        long live = records.live();
        if (live > 0) {
            LOG.warn("IOCP group closed with {} operation records still in use (sockets left open)", live);
        }
    }
}
