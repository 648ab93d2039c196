package dev.fiberio.iocp.win32;

import static dev.fiberio.iocp.win32.Win32Constants.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * An in-memory {@link Win32}: completion ports and connected fake sockets, so the IOCP poller's
 * logic can be tested on any OS, deterministically.
 *
 * <p>What it models, after the Win32 docs: completion ports with keys, GetQueuedCompletionStatusEx
 * from any number of threads (0, finite and INFINITE timeouts; ERROR_ABANDONED_WAIT_0 when the port
 * is closed under a waiter), blocked threads released in LIFO order, PostQueuedCompletionStatus;
 * handles that are multiples of 4, the lowest free one reused at once; WSARecv / WSASend that complete
 * synchronously when they can (queuing a packet too, unless FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is
 * set and no non-IFS layered provider is installed, {@link #setLayeredProvider}) and otherwise return
 * WSA_IO_PENDING and complete later, writing the data into the WSABUF memory, the result into the
 * OVERLAPPED, and queuing a packet with the OVERLAPPED address; zero-byte receives that complete when
 * data is there without consuming it; send back-pressure ({@link #setReceiveCapacity}); CancelIoEx
 * completing pending operations with STATUS_CANCELLED (a receive's cancellation takes every pending
 * receive of the socket), exactly one packet per operation even when cancel races completion;
 * closesocket aborting transfers with STATUS_LOCAL_DISCONNECT and AcceptEx/ConnectEx with
 * STATUS_REQUEST_ABORTED; graceful close (end of stream), abortive close (linger 0 or unread data: the
 * peer sees a reset); listen backlogs capped at 200 unless given as SOMAXCONN_HINT; a full backlog
 * refusing; IPv6 sockets v6-only until IPV6_V6ONLY is cleared; AcceptEx with address blocks in an
 * internal, unaligned format that only {@link #getAcceptExSockaddrs} reads; ConnectEx staying pending
 * and refused after a delay (no listener, full backlog) or timing out (an address nobody answers,
 * {@link #setConnectDelays}); SO_PROTOCOL_INFOW; WSAGetOverlappedResult.
 *
 * <p>UDP, after the WSARecvFrom, WSASendTo, connect and IPPROTO_IP/IPPROTO_IPV6 option pages:
 * WSARecvFrom completing synchronously when a datagram waits and pending otherwise; truncation
 * (the buffers filled, the rest discarded: a synchronous WSAEMSGSIZE with no completion packet, or a
 * completion with STATUS_BUFFER_OVERFLOW and the bytes copied); the sender written into the caller's
 * address buffer and length; WSASendTo completing at once (WSAEMSGSIZE beyond 65,507 bytes over IPv4
 * and 65,527 over IPv6, WSAEACCES for 255.255.255.255 without SO_BROADCAST, an implicit bind);
 * connect setting a default peer that filters what arrives and, with a zeroed address (AF_UNSPEC),
 * dissolving it; an ICMP port unreachable for a datagram to a loopback port nobody holds, failing the
 * sender's next receive with WSAECONNRESET (or completing its pending one with STATUS_PORT_UNREACHABLE)
 * while SIO_UDP_CONNRESET is on, Windows' default; dual-stack delivery to an IPv6 wildcard socket with
 * IPV6_V6ONLY cleared, senders reported IPv4-mapped; multicast memberships with loopback delivery to
 * every member bound to the port. Datagrams are never dropped, and a port is not shared (SO_REUSEADDR
 * is stored only). A UDP port that a real socket of this machine holds counts as in use.
 *
 * <p>What it does not: blocking (non-overlapped) I/O, AcceptEx with receive data, ConnectEx with
 * send data. Those throw {@link UnsupportedOperationException}. Errors the doc pages do not
 * pin down are reported as WSAEINVAL.
 *
 * <p>Test hooks: {@link #connectedPair}, {@link #connectTo}, {@link #receive}, {@link #takeReceived},
 * {@link #resetConnection}, {@link #holdCompletions} (delay and reorder completion packets),
 * {@link #awaitWaiters}, {@link #pendingOperations}, {@link #queuedCompletions}.
 *
 * <p>Implementation overview: {@link #lock} guards every socket's state and the bound addresses;
 * every socket call takes it, so an operation completes (or is cancelled) exactly once. Packets are
 * handed to the port (or the active {@link CompletionHold}) while it is held; ports have their own
 * lock, taken last. GetQueuedCompletionStatusEx takes only the port's lock, so pollers never wait
 * for socket calls. Handles live in {@link #handles}; {@link #lastError} is per thread.
 */
public final class FakeWin32 implements Win32 {

    /**
     * Two connected sockets.
     *
     * @param first one end
     * @param second the other end
     */
    public record SocketPair(long first, long second) {
    }

    private static final int FIRST_EPHEMERAL_PORT = 49152;
    private static final long FAKE_FUNCTION_POINTER = 0x7ff0_0000_1000L;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, Object> handles = new ConcurrentHashMap<>();
    private final Map<Integer, List<FakeSocket>> boundPorts = new ConcurrentHashMap<>();
    private static final long FIRST_HANDLE = 0x100;
    private volatile long refusalDelayMillis = 1_000;
    private volatile long connectTimeoutMillis = 21_000;
    private java.util.concurrent.ScheduledExecutorService timer;
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);
    private final FakeSocket.Completer completer = this::complete;
    private final java.util.Set<Integer> reservedPorts = ConcurrentHashMap.newKeySet();
    private final java.util.Set<Long> cancelIgnored = ConcurrentHashMap.newKeySet();
    private final List<String> closesocketThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean layeredProvider;
    private int nextEphemeralPort = FIRST_EPHEMERAL_PORT;
    private int startups;
    private volatile boolean extensionsLoaded;
    private volatile CompletionHold hold;

    /** Creates an empty fake: no sockets, no ports, Winsock not started. */
    public FakeWin32() {
    }

    // ================================================================ test hooks

    /**
     * Creates two connected overlapped sockets on loopback, not associated with any port.
     *
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @return the two ends
     */
    public SocketPair connectedPair(int family) {
        return locked(() -> {
            FakeSocket a = newSocket(family);
            FakeSocket b = newSocket(family);
            a.local = bindEphemeral(a, loopback(family));
            b.local = bindEphemeral(b, loopback(family));
            connect(a, b);
            return new SocketPair(a.handle, b.handle);
        });
    }

    /**
     * A remote client connects to {@code listener}: the connection completes a pending AcceptEx or
     * waits in the backlog.
     *
     * @param listener a listening socket
     * @return the client's socket handle (an ordinary fake socket)
     */
    public long connectTo(long listener) {
        return onSocket(listener, server -> {
            if (server.state != FakeSocket.State.LISTENING) {
                throw new IllegalStateException("not listening: " + listener);
            }
            FakeSocket client = newSocket(server.family);
            client.local = bindEphemeral(client, loopback(server.family));
            if (!offerConnection(server, client)) {
                throw new IllegalStateException("backlog of " + listener + " is full");
            }
            return client.handle;
        });
    }

    /**
     * A remote client tries to connect to {@code listener}: like {@link #connectTo}, but a full backlog
     * answers with a reset instead of failing the test.
     *
     * @param listener a listening socket
     * @return the client's socket handle, or -1 if the connection was refused
     */
    public long tryConnectTo(long listener) {
        return onSocket(listener, server -> {
            if (server.state != FakeSocket.State.LISTENING) {
                throw new IllegalStateException("not listening: " + listener);
            }
            FakeSocket client = newSocket(server.family);
            client.local = bindEphemeral(client, loopback(server.family));
            if (!offerConnection(server, client)) {
                close(client);
                return -1L;
            }
            return client.handle;
        });
    }

    /**
     * Makes bind to {@code port} fail with WSAEACCES, as Windows does for a port in an excluded range
     * (e.g. reserved by Hyper-V) or held with SO_EXCLUSIVEADDRUSE by another user.
     *
     * @param port the port
     */
    public void reservePort(int port) {
        reservedPorts.add(port);
    }

    /**
     * Installs (or removes) a layered service provider that does not return IFS handles: its
     * WSAPROTOCOL_INFOW lacks XP1_IFS_HANDLES, and a synchronous success queues a completion packet
     * even when FILE_SKIP_COMPLETION_PORT_ON_SUCCESS was set (the mode "is only compatible with
     * Layered Service Providers that return IFS handles").
     *
     * @param installed whether the provider is installed
     */
    public void setLayeredProvider(boolean installed) {
        layeredProvider = installed;
    }

    /**
     * Makes CancelIoEx on {@code socket} report success but cancel nothing, as a misbehaving layered
     * provider may: its pending operations then complete only when their I/O does.
     *
     * @param socket a socket
     */
    public void ignoreCancel(long socket) {
        cancelIgnored.add(socket);
    }

    /**
     * Sets how long a ConnectEx to a loopback port without a listener (or with a full backlog, which
     * Windows answers with RST) stays pending before it fails with STATUS_CONNECTION_REFUSED (Windows
     * retries the SYN: about 2 s; default here 1 s), and how long one to an address nobody answers stays
     * pending before STATUS_IO_TIMEOUT (Windows: about 21 s, the default here).
     *
     * @param refusalMillis the refusal delay
     * @param timeoutMillis the connect timeout
     */
    public void setConnectDelays(long refusalMillis, long timeoutMillis) {
        refusalDelayMillis = refusalMillis;
        connectTimeoutMillis = timeoutMillis;
    }

    /**
     * The names of the threads that called closesocket, in order.
     *
     * @return a snapshot
     */
    public List<String> closesocketThreads() {
        return List.copyOf(closesocketThreads);
    }

    /**
     * The bytes of buffer the pending receives of {@code socket} hand to the kernel (what it would lock).
     *
     * @param socket a socket handle
     * @return the sum of their WSABUF lengths
     */
    public long pendingReceiveBytes(long socket) {
        return onSocket(socket, s -> s.receives.stream()
                .flatMap(r -> r.buffers().stream()).mapToLong(MemorySegment::byteSize).sum());
    }

    /**
     * Data arrives on {@code socket} as if its peer had sent it; completes pending receives.
     *
     * @param socket a connected socket
     * @param data the bytes
     */
    public void receive(long socket, byte[] data) {
        onSocket(socket, s -> {
            s.inbound.add(data.clone());
            s.pump(completer);
            return null;
        });
    }

    /**
     * Removes and returns what is buffered for {@code socket} (e.g. what its peer sent), as if the
     * application had read it; unblocks pending sends of the peer.
     *
     * @param socket a socket
     * @return the buffered bytes
     */
    public byte[] takeReceived(long socket) {
        return onSocket(socket, s -> {
            byte[] data = s.inbound.takeAll();
            s.pump(completer);
            return data;
        });
    }

    /**
     * The peer of {@code socket} resets the connection: pending and future receives and sends on
     * {@code socket} fail with a reset, buffered data is discarded.
     *
     * @param socket a connected socket
     */
    public void resetConnection(long socket) {
        onSocket(socket, s -> {
            s.reset = true;
            s.inbound.takeAll();
            s.pump(completer);
            return null;
        });
    }

    /**
     * Limits how many bytes {@code socket} buffers before its peer's sends stay pending
     * (an empty buffer always takes one send, whatever its size). Default 1 MiB.
     *
     * @param socket a socket
     * @param bytes the capacity
     */
    public void setReceiveCapacity(long socket, int bytes) {
        onSocket(socket, s -> s.receiveCapacity = bytes);
    }

    /**
     * Holds back completion packets that match {@code filter} (see {@link CompletionHold}).
     * One hold at a time; close it to stop holding.
     *
     * @param filter which packets to hold
     * @return the hold
     */
    public CompletionHold holdCompletions(Predicate<FakeCompletion> filter) {
        CompletionHold created = new CompletionHold(filter, this::enqueue, () -> hold = null);
        return locked(() -> {
            if (hold != null) {
                throw new IllegalStateException("a CompletionHold is already active");
            }
            hold = created;
            return created;
        });
    }

    /**
     * Blocks until {@code threads} threads wait in GetQueuedCompletionStatusEx on {@code port}
     * (fails after 10 s instead of hanging).
     *
     * @param port a port handle
     * @param threads how many waiters
     */
    public void awaitWaiters(long port, int threads) {
        requirePort(port).awaitWaiters(threads, 10_000);
    }

    /**
     * Pending overlapped operations started on {@code socket} (receives, sends, AcceptEx).
     *
     * @param socket a socket handle
     * @return the count
     */
    public int pendingOperations(long socket) {
        return onSocket(socket, FakeSocket::pendingCount);
    }

    /**
     * Packets queued on {@code port} and not dequeued yet (held packets are not counted).
     *
     * @param port a port handle
     * @return the count
     */
    public int queuedCompletions(long port) {
        return requirePort(port).queued();
    }

    // ================================================================ Win32

    @Override
    public int lastError() {
        return lastError.get()[0];
    }

    @Override
    public int wsaStartup(short version, MemorySegment wsaData) {
        requireNative(wsaData);
        WsaData.setVersion(wsaData, version);
        return locked(() -> {
            startups++;
            return 0;
        });
    }

    @Override
    public int wsaCleanup() {
        return locked(() -> {
            if (startups == 0) {
                return fail(WSANOTINITIALISED);
            }
            startups--;
            return 0;
        });
    }

    @Override
    public long wsaSocket(int af, int type, int protocol, int flags) {
        if ((flags & WSA_FLAG_OVERLAPPED) == 0) {
            throw new UnsupportedOperationException("FakeWin32 models overlapped sockets only");
        }
        return locked(() -> {
            if (startups == 0) {
                fail(WSANOTINITIALISED);
                return INVALID_SOCKET;
            }
            boolean stream = type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP);
            boolean datagram = type == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP);
            if ((af != AF_INET && af != AF_INET6) || !(stream || datagram)) {
                fail(WSAEINVAL);
                return INVALID_SOCKET;
            }
            FakeSocket s = newSocket(af);
            s.type = type;
            return s.handle;
        });
    }

    @Override
    public int bind(long socket, MemorySegment name, int nameLength) {
        requireNative(name);
        return withSocket(socket, s -> {
            if (nameLength < SockAddrs.length(s.family)) {
                return fail(WSAEFAULT);
            }
            MemorySegment sockaddr = name.asSlice(0, nameLength);
            if (s.state != FakeSocket.State.CREATED || sockaddr.get(JAVA_SHORT, 0) != s.family) {
                return fail(WSAEINVAL);
            }
            InetSocketAddress address = SockAddrs.decode(sockaddr);
            if (reservedPorts.contains(address.getPort())) {
                return fail(WSAEACCES);
            }
            if (address.getPort() == 0) {
                s.local = bindEphemeral(s, address.getAddress());
            } else if (boundPorts.getOrDefault(address.getPort(), List.of()).stream().anyMatch(o -> o.type == s.type)
                    || (s.type == SOCK_DGRAM && takenOnThisMachine(address))) {
                return fail(WSAEADDRINUSE);
            } else {
                s.local = address;
                boundPorts.computeIfAbsent(address.getPort(), p -> new ArrayList<>()).add(s);
            }
            s.state = FakeSocket.State.BOUND;
            return 0;
        });
    }

    @Override
    public int listen(long socket, int backlog) {
        return withSocket(socket, s -> {
            if (s.state != FakeSocket.State.BOUND && s.state != FakeSocket.State.LISTENING) {
                return fail(WSAEINVAL);
            }
            s.state = FakeSocket.State.LISTENING;
            s.backlogLimit = backlogOf(backlog);
            return 0;
        });
    }

    @Override
    public int closesocket(long socket) {
        closesocketThreads.add(Thread.currentThread().getName());
        return withSocket(socket, s -> {
            close(s);
            return 0;
        });
    }

    @Override
    public int shutdown(long socket, int how) {
        return withSocket(socket, s -> {
            if (s.state != FakeSocket.State.CONNECTED) {
                return fail(WSAENOTCONN);
            }
            if (how == SD_SEND || how == SD_BOTH) {
                s.sendShutdown = true;
                if (s.peer != null) {
                    s.peer.endOfStream = true;
                }
            }
            if (how == SD_RECEIVE || how == SD_BOTH) {
                s.receiveShutdown = true;
            }
            s.pump(completer);
            return 0;
        });
    }

    @Override
    public int setsockopt(long socket, int level, int name, MemorySegment value, int valueLength) {
        requireNative(value);
        return withSocket(socket, s -> {
            if (valueLength < 0 || value.byteSize() < valueLength) {
                return fail(WSAEFAULT);
            }
            if (level == SOL_SOCKET && name == SO_UPDATE_ACCEPT_CONTEXT && s.reset) {
                // Assumed, not documented: the update of a connection the client reset after AcceptEx
                // completed fails (as libuv expects, which skips such a connection).
                return fail(WSAECONNRESET);
            }
            if (s.type == SOCK_DGRAM && isMembership(level, name)) {
                return membership(s, level, name, value, valueLength);
            }
            s.options.put(optionKey(level, name), value.asSlice(0, valueLength).toArray(JAVA_BYTE));
            return 0;
        });
    }

    @Override
    public int getsockopt(long socket, int level, int name, MemorySegment value, MemorySegment valueLength) {
        requireNative(value, valueLength);
        return withSocket(socket, s -> {
            if (level == SOL_SOCKET && name == SO_PROTOCOL_INFOW) {
                if (valueLength.get(JAVA_INT, 0) < ProtocolInfo.LAYOUT.byteSize()) {
                    return fail(WSAEFAULT);
                }
                value.asSlice(0, ProtocolInfo.LAYOUT.byteSize()).fill((byte) 0);
                int flags = 0x66; // XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER | XP1_GRACEFUL_CLOSE | XP1_EXPEDITED_DATA
                ProtocolInfo.setServiceFlags1(value, layeredProvider ? flags : flags | XP1_IFS_HANDLES);
                valueLength.set(JAVA_INT, 0, (int) ProtocolInfo.LAYOUT.byteSize());
                return 0;
            }
            byte[] stored = s.options.get(optionKey(level, name));
            if (stored == null && level == IPPROTO_IPV6 && name == IPV6_V6ONLY && s.family == AF_INET6) {
                stored = MemorySegment.ofArray(new int[] {1}).toArray(JAVA_BYTE); // Windows: v6-only by default
            }
            if (stored == null && level == SOL_SOCKET && (name == SO_ERROR || name == SO_RCVBUF || name == SO_SNDBUF)) {
                int defaultValue = name == SO_ERROR ? 0 : 65536;
                stored = MemorySegment.ofArray(new int[] {defaultValue}).toArray(JAVA_BYTE);
            }
            if (stored == null && s.type == SOCK_DGRAM) {
                Integer defaultValue = datagramDefault(level, name);
                stored = defaultValue == null ? null : MemorySegment.ofArray(new int[] {defaultValue}).toArray(JAVA_BYTE);
            }
            if (stored == null) {
                return fail(WSAEINVAL);
            }
            if (valueLength.get(JAVA_INT, 0) < stored.length) {
                return fail(WSAEFAULT);
            }
            MemorySegment.copy(stored, 0, value, JAVA_BYTE, 0, stored.length);
            valueLength.set(JAVA_INT, 0, stored.length);
            return 0;
        });
    }

    @Override
    public int getsockname(long socket, MemorySegment name, MemorySegment nameLength) {
        return socketAddress(socket, name, nameLength, false);
    }

    @Override
    public int getpeername(long socket, MemorySegment name, MemorySegment nameLength) {
        return socketAddress(socket, name, nameLength, true);
    }

    @Override
    public int wsaIoctl(long socket, int controlCode, MemorySegment in, int inLength, MemorySegment out, int outLength,
                        MemorySegment bytesReturned, MemorySegment overlapped) {
        requireNative(in, out, bytesReturned);
        if (!overlapped.equals(MemorySegment.NULL)) {
            throw new UnsupportedOperationException("FakeWin32 models blocking WSAIoctl only");
        }
        return withSocket(socket, s -> {
            if (controlCode == FIONREAD) {
                // ioctlsocket/WSAIoctl: a stream socket answers the bytes one receive would take now
                // (0 at the end of the stream and after a reset: only a receive reports those).
                if (s.type != SOCK_STREAM) {
                    throw new UnsupportedOperationException("FakeWin32 models FIONREAD on stream sockets only");
                }
                if (outLength < 4) {
                    return fail(WSAEFAULT);
                }
                if (s.state != FakeSocket.State.CONNECTED) {
                    return fail(WSAENOTCONN);
                }
                out.set(JAVA_INT, 0, s.reset ? 0 : s.inbound.size());
                bytesReturned.set(JAVA_INT, 0, 4);
                return 0;
            }
            if (controlCode == SIO_UDP_CONNRESET) {
                if (s.type != SOCK_DGRAM || inLength < 4) {
                    return fail(WSAEINVAL);
                }
                s.reportPortUnreachable = in.get(JAVA_INT, 0) != 0;
                return 0;
            }
            if (controlCode != SIO_GET_EXTENSION_FUNCTION_POINTER || inLength < Guid.LAYOUT.byteSize()
                    || outLength < ADDRESS.byteSize()) {
                return fail(WSAEINVAL);
            }
            Guid guid = Guid.read(in);
            List<Guid> known = List.of(Guid.WSAID_ACCEPTEX, Guid.WSAID_CONNECTEX, Guid.WSAID_GETACCEPTEXSOCKADDRS);
            if (!known.contains(guid)) {
                return fail(WSAEINVAL);
            }
            out.set(JAVA_LONG, 0, FAKE_FUNCTION_POINTER + 16L * known.indexOf(guid));
            bytesReturned.set(JAVA_INT, 0, (int) ADDRESS.byteSize());
            return 0;
        });
    }

    @Override
    public int loadExtensionFunctions(long socket) {
        return withSocket(socket, s -> {
            extensionsLoaded = true;
            return 0;
        });
    }

    @Override
    public boolean acceptEx(long listenSocket, long acceptSocket, MemorySegment outputBuffer, int receiveDataLength,
                            int localAddressLength, int remoteAddressLength, MemorySegment bytesReceived,
                            MemorySegment overlapped) {
        requireExtensions();
        requireNative(outputBuffer, bytesReceived, overlapped);
        if (receiveDataLength != 0) {
            throw new UnsupportedOperationException("FakeWin32 models AcceptEx without receive data only");
        }
        if (outputBuffer.byteSize() < (long) localAddressLength + remoteAddressLength) {
            throw new IllegalArgumentException("AcceptEx output buffer too small for its address blocks");
        }
        return locked(() -> {
            FakeSocket listener = socket(listenSocket);
            FakeSocket target = socket(acceptSocket);
            if (listener == null || target == null) {
                return failBool(WSAENOTSOCK);
            }
            int needed = SockAddrs.length(listener.family) + 16;
            if (listener.state != FakeSocket.State.LISTENING || target.state != FakeSocket.State.CREATED
                    || target.family != listener.family || localAddressLength < needed || remoteAddressLength < needed) {
                return failBool(WSAEINVAL);
            }
            FakeSocket.Accept accept = new FakeSocket.Accept(overlapped, target, outputBuffer,
                    localAddressLength, remoteAddressLength);
            FakeSocket connection = listener.backlog.pollFirst();
            if (connection != null) {
                finishAccept(accept, connection);
                setIfPresent(bytesReceived, 0);
                completeSynchronously(listener, overlapped, 0);
                return true;
            }
            markPending(overlapped);
            listener.accepts.addLast(accept);
            return failBool(ERROR_IO_PENDING);
        });
    }

    @Override
    public boolean connectEx(long socket, MemorySegment name, int nameLength, MemorySegment sendBuffer, int sendLength,
                             MemorySegment bytesSent, MemorySegment overlapped) {
        requireExtensions();
        requireNative(name, overlapped);
        if (!sendBuffer.equals(MemorySegment.NULL) && sendLength != 0) {
            throw new UnsupportedOperationException("FakeWin32 models ConnectEx without send data only");
        }
        return withSocketBool(socket, WSAENOTSOCK, s -> {
            if (s.state == FakeSocket.State.CONNECTED) {
                return failBool(WSAEISCONN);
            }
            if (s.state != FakeSocket.State.BOUND || nameLength < SockAddrs.length(s.family)) {
                return failBool(WSAEINVAL);
            }
            InetSocketAddress target = SockAddrs.decode(name.asSlice(0, nameLength));
            markPending(overlapped);
            FakeSocket listener = listenerFor(target, s.family);
            if (listener != null && offerConnection(listener, s)) {
                complete(s, overlapped, STATUS_SUCCESS, 0);
            } else {
                // Refused (no listener, or a full backlog: RST) after the SYN retries; an address nobody
                // answers times out. Pending meanwhile, so CancelIoEx and closesocket abort it.
                FakeSocket.Connect connect = new FakeSocket.Connect(overlapped);
                s.connects.addLast(connect);
                boolean refused = target.getAddress().isLoopbackAddress();
                later(refused ? refusalDelayMillis : connectTimeoutMillis, () -> {
                    if (s.connects.remove(connect)) {
                        complete(s, overlapped, refused ? STATUS_CONNECTION_REFUSED : STATUS_IO_TIMEOUT, 0);
                    }
                });
            }
            return failBool(ERROR_IO_PENDING);
        });
    }

    @Override
    public void getAcceptExSockaddrs(MemorySegment outputBuffer, int receiveDataLength, int localAddressLength,
                                     int remoteAddressLength, MemorySegment localSockaddr,
                                     MemorySegment localSockaddrLength, MemorySegment remoteSockaddr,
                                     MemorySegment remoteSockaddrLength) {
        requireExtensions();
        requireNative(outputBuffer, localSockaddr, localSockaddrLength, remoteSockaddr, remoteSockaddrLength);
        MemorySegment local = outputBuffer.asSlice(receiveDataLength, localAddressLength);
        MemorySegment remote = outputBuffer.asSlice((long) receiveDataLength + localAddressLength, remoteAddressLength);
        localSockaddr.set(ADDRESS, 0, local.asSlice(ADDRESS_BLOCK_HEADER));
        localSockaddrLength.set(JAVA_INT, 0, Short.toUnsignedInt(local.get(JAVA_SHORT_UNALIGNED, 0)));
        remoteSockaddr.set(ADDRESS, 0, remote.asSlice(ADDRESS_BLOCK_HEADER));
        remoteSockaddrLength.set(JAVA_INT, 0, Short.toUnsignedInt(remote.get(JAVA_SHORT_UNALIGNED, 0)));
    }

    @Override
    public int wsaRecv(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesReceived,
                       MemorySegment flags, MemorySegment overlapped) {
        requireNative(buffers, bytesReceived, flags, overlapped);
        requireOverlapped(overlapped);
        Win32Native.requireArray(buffers, WsaBuf.arraySize(bufferCount), "WSABUF");
        return withSocket(socket, s -> {
            if (flags.equals(MemorySegment.NULL)) {
                return fail(WSAEFAULT);
            }
            if (s.state != FakeSocket.State.CONNECTED) {
                return fail(WSAENOTCONN);
            }
            if (s.receiveShutdown) {
                return fail(WSAESHUTDOWN);
            }
            if (s.reset) {
                return fail(WSAECONNRESET);
            }
            List<MemorySegment> targets = wsaBufs(buffers, bufferCount);
            flags.set(JAVA_INT, 0, 0);
            if (s.receives.isEmpty() && s.receiveReady()) {
                int n = s.read(targets);
                setIfPresent(bytesReceived, n);
                completeSynchronously(s, overlapped, n);
                s.pump(completer);
                return 0;
            }
            markPending(overlapped);
            s.receives.addLast(new FakeSocket.Receive(overlapped, targets));
            return fail(WSA_IO_PENDING);
        });
    }

    @Override
    public int wsaSend(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesSent, int flags,
                       MemorySegment overlapped) {
        requireNative(buffers, bytesSent, overlapped);
        requireOverlapped(overlapped);
        Win32Native.requireArray(buffers, WsaBuf.arraySize(bufferCount), "WSABUF");
        return withSocket(socket, s -> {
            if (s.state != FakeSocket.State.CONNECTED) {
                return fail(WSAENOTCONN);
            }
            if (s.sendShutdown) {
                return fail(WSAESHUTDOWN);
            }
            FakeSocket peer = s.peer;
            if (s.reset || peer == null || peer.state == FakeSocket.State.CLOSED || peer.reset) {
                return fail(WSAECONNRESET);
            }
            List<MemorySegment> sources = wsaBufs(buffers, bufferCount);
            long length = sources.stream().mapToLong(MemorySegment::byteSize).sum();
            if (s.sends.isEmpty() && peer.hasRoomFor(length)) {
                peer.append(sources);
                setIfPresent(bytesSent, (int) length);
                completeSynchronously(s, overlapped, (int) length);
                s.pump(completer);
                return 0;
            }
            markPending(overlapped);
            s.sends.addLast(new FakeSocket.Send(overlapped, sources, length));
            return fail(WSA_IO_PENDING);
        });
    }

    @Override
    public int wsaRecvFrom(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesReceived,
                           MemorySegment flags, MemorySegment from, MemorySegment fromLength, MemorySegment overlapped) {
        requireNative(buffers, bytesReceived, flags, from, fromLength, overlapped);
        requireOverlapped(overlapped);
        Win32Native.requireArray(buffers, WsaBuf.arraySize(bufferCount), "WSABUF");
        return withSocket(socket, s -> {
            if (s.type != SOCK_DGRAM) {
                throw new UnsupportedOperationException("FakeWin32 models WSARecvFrom on datagram sockets only");
            }
            if (flags.equals(MemorySegment.NULL) || fromLength.equals(MemorySegment.NULL)
                    || fromLength.get(JAVA_INT, 0) < SockAddrs.length(s.family) || from.byteSize() < SockAddrs.length(s.family)) {
                return fail(WSAEFAULT); // "The lpFrom buffer was too small to accommodate the peer address"
            }
            if (s.state == FakeSocket.State.CREATED) {
                return fail(WSAEINVAL); // "The socket has not been bound"
            }
            List<MemorySegment> targets = wsaBufs(buffers, bufferCount);
            flags.set(JAVA_INT, 0, 0);
            if (s.receiveFroms.isEmpty() && s.portUnreachable) {
                s.portUnreachable = false;
                return fail(WSAECONNRESET); // "a previous send operation resulted in an ICMP Port Unreachable message"
            }
            FakeSocket.Datagram datagram = s.receiveFroms.isEmpty() ? s.datagrams.pollFirst() : null;
            if (datagram != null) {
                int n = s.deliver(datagram, targets, from, fromLength);
                if (n < datagram.data().length) {
                    // Truncated: an error return, after which "no completion indication will occur"; the
                    // buffers hold what fitted, the rest is discarded.
                    Overlapped.complete(overlapped, STATUS_BUFFER_OVERFLOW, n);
                    return fail(WSAEMSGSIZE);
                }
                setIfPresent(bytesReceived, n);
                completeSynchronously(s, overlapped, n);
                return 0;
            }
            markPending(overlapped);
            s.receiveFroms.addLast(new FakeSocket.ReceiveFrom(overlapped, targets, from, fromLength));
            return fail(WSA_IO_PENDING);
        });
    }

    @Override
    public int wsaSendTo(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesSent, int flags,
                         MemorySegment to, int toLength, MemorySegment overlapped) {
        requireNative(buffers, bytesSent, to, overlapped);
        requireOverlapped(overlapped);
        Win32Native.requireArray(buffers, WsaBuf.arraySize(bufferCount), "WSABUF");
        return withSocket(socket, s -> {
            if (s.type != SOCK_DGRAM) {
                throw new UnsupportedOperationException("FakeWin32 models WSASendTo on datagram sockets only");
            }
            InetSocketAddress target;
            if (to.equals(MemorySegment.NULL)) {
                if (s.remote == null) {
                    return fail(WSAENOTCONN);
                }
                target = s.remote;
            } else {
                if (toLength < SockAddrs.length(s.family) || to.get(JAVA_SHORT, 0) != s.family) {
                    return fail(WSAEFAULT);
                }
                target = SockAddrs.decode(to.asSlice(0, toLength));
            }
            if (target.getPort() == 0 || target.getAddress().isAnyLocalAddress()) {
                return fail(WSAEADDRNOTAVAIL);
            }
            List<MemorySegment> sources = wsaBufs(buffers, bufferCount);
            long length = sources.stream().mapToLong(MemorySegment::byteSize).sum();
            // UDP length minus headers: 65,535 - 8 - 20 over IPv4 (also for IPv4-mapped destinations), 65,535 - 8 over IPv6.
            if (length > (target.getAddress() instanceof java.net.Inet4Address ? 65_507 : 65_527)) {
                return fail(WSAEMSGSIZE);
            }
            boolean broadcast = target.getAddress() instanceof java.net.Inet4Address
                    && java.util.Arrays.equals(target.getAddress().getAddress(), new byte[] {-1, -1, -1, -1});
            if (broadcast && !optionOn(s, SOL_SOCKET, SO_BROADCAST)) {
                return fail(WSAEACCES); // "the requested address is a broadcast address, but the appropriate flag was not set"
            }
            if (s.state == FakeSocket.State.CREATED) {
                s.local = bindEphemeral(s, wildcard(s.family)); // sendto binds an unbound socket implicitly
            }
            byte[] payload = new byte[(int) length];
            int at = 0;
            for (MemorySegment source : sources) {
                MemorySegment.copy(source, JAVA_BYTE, 0, payload, at, (int) source.byteSize());
                at += (int) source.byteSize();
            }
            if (!broadcast) {
                route(s, target, payload);
            }
            setIfPresent(bytesSent, (int) length);
            completeSynchronously(s, overlapped, (int) length);
            return 0;
        });
    }

    @Override
    public int connect(long socket, MemorySegment name, int nameLength) {
        requireNative(name);
        return withSocket(socket, s -> {
            if (s.type != SOCK_DGRAM) {
                throw new UnsupportedOperationException("FakeWin32 models connect on datagram sockets only (TCP: ConnectEx)");
            }
            if (nameLength < 2 || name.byteSize() < nameLength) {
                return fail(WSAEFAULT);
            }
            MemorySegment sockaddr = name.asSlice(0, nameLength);
            if (sockaddr.get(JAVA_SHORT, 0) == AF_UNSPEC) {
                // "If the address member ... is filled with zeros, the socket will be disconnected."
                for (byte b : sockaddr.toArray(JAVA_BYTE)) {
                    if (b != 0) {
                        return fail(WSAEINVAL);
                    }
                }
                s.remote = null;
                return 0;
            }
            if (sockaddr.get(JAVA_SHORT, 0) != s.family || nameLength < SockAddrs.length(s.family)) {
                return fail(WSAEFAULT);
            }
            InetSocketAddress target = SockAddrs.decode(sockaddr);
            if (target.getPort() == 0 || target.getAddress().isAnyLocalAddress()) {
                return fail(WSAEADDRNOTAVAIL);
            }
            if (s.state == FakeSocket.State.CREATED) {
                s.local = bindEphemeral(s, wildcard(s.family));
            }
            s.remote = target;
            // "Any datagrams queued for receipt are discarded if name is different from the previous connect."
            s.datagrams.removeIf(d -> !d.from().equals(target));
            return 0;
        });
    }

    @Override
    public boolean wsaGetOverlappedResult(long socket, MemorySegment overlapped, MemorySegment bytesTransferred,
                                          MemorySegment flags) {
        requireNative(overlapped, bytesTransferred, flags);
        if (handles.get(socket) == null) {
            return failBool(WSAENOTSOCK);
        }
        int status = Overlapped.status(overlapped);
        if (status == STATUS_PENDING) {
            return failBool(WSA_IO_INCOMPLETE);
        }
        bytesTransferred.set(JAVA_INT, 0, Overlapped.bytesTransferred(overlapped));
        flags.set(JAVA_INT, 0, 0);
        return status == STATUS_SUCCESS || failBool(winsockError(status));
    }

    @Override
    public long createIoCompletionPort(long fileHandle, long existingPort, long completionKey, int concurrentThreads) {
        return locked(() -> {
            if (fileHandle == INVALID_HANDLE_VALUE) {
                return existingPort == 0 ? newPort().handle() : failHandle(ERROR_INVALID_PARAMETER);
            }
            FakeSocket s = socket(fileHandle);
            if (s == null) {
                return failHandle(ERROR_INVALID_HANDLE);
            }
            if (s.port != null) {
                return failHandle(ERROR_INVALID_PARAMETER);
            }
            FakeCompletionPort port = existingPort == 0 ? newPort() : port(existingPort);
            if (port == null) {
                return failHandle(ERROR_INVALID_HANDLE);
            }
            s.port = port;
            s.completionKey = completionKey;
            return port.handle();
        });
    }

    @Override
    public boolean getQueuedCompletionStatusEx(long port, MemorySegment entries, int count,
                                               MemorySegment entriesRemoved, int timeoutMillis) {
        requireNative(entries, entriesRemoved);
        Win32Native.requireArray(entries, OverlappedEntry.arraySize(count), "OVERLAPPED_ENTRY");
        FakeCompletionPort p = port(port);
        if (p == null || p.isClosed()) {
            return failBool(ERROR_INVALID_HANDLE);
        }
        if (count < 1) {
            return failBool(ERROR_INVALID_PARAMETER);
        }
        long timeout = timeoutMillis == INFINITE ? -1 : Integer.toUnsignedLong(timeoutMillis);
        FakeCompletionPort.Taken taken = p.take(count, timeout);
        if (taken.packets().isEmpty()) {
            return failBool(taken.closed() ? ERROR_ABANDONED_WAIT_0 : WAIT_TIMEOUT);
        }
        for (int i = 0; i < taken.packets().size(); i++) {
            FakeCompletion c = taken.packets().get(i);
            OverlappedEntry.set(entries, i, c.key(), c.overlapped(), c.status(), c.bytes());
        }
        entriesRemoved.set(JAVA_INT, 0, taken.packets().size());
        return true;
    }

    @Override
    public boolean postQueuedCompletionStatus(long port, int bytesTransferred, long completionKey,
                                              MemorySegment overlapped) {
        requireNative(overlapped);
        FakeCompletionPort p = port(port);
        if (p == null || p.isClosed()) {
            return failBool(ERROR_INVALID_HANDLE);
        }
        deliver(new FakeCompletion(port, completionKey, overlapped.address(), STATUS_SUCCESS, bytesTransferred));
        return true;
    }

    @Override
    public boolean setFileCompletionNotificationModes(long handle, byte flags) {
        return withSocketBool(handle, ERROR_INVALID_HANDLE, s -> {
            s.notificationModes |= flags;
            return true;
        });
    }

    @Override
    public boolean cancelIoEx(long handle, MemorySegment overlapped) {
        requireNative(overlapped);
        return locked(() -> {
            Object target = handles.get(handle);
            if (!(target instanceof FakeSocket s)) {
                return failBool(target == null ? ERROR_INVALID_HANDLE : ERROR_NOT_FOUND);
            }
            if (cancelIgnored.contains(handle)) {
                return true;
            }
            boolean all = overlapped.equals(MemorySegment.NULL);
            // Cancelling one receive cancels every pending receive of the socket (AFD keeps them in one queue).
            boolean aReceive = s.receives.stream().anyMatch(r -> r.overlapped().address() == overlapped.address())
                    || s.receiveFroms.stream().anyMatch(r -> r.overlapped().address() == overlapped.address());
            int cancelled = s.cancel(op -> all || op.overlapped().address() == overlapped.address()
                    || (aReceive && (op instanceof FakeSocket.Receive || op instanceof FakeSocket.ReceiveFrom)), completer);
            if (cancelled == 0) {
                return failBool(ERROR_NOT_FOUND);
            }
            s.pump(completer);
            return true;
        });
    }

    @Override
    public boolean closeHandle(long handle) {
        return locked(() -> {
            Object target = handles.get(handle);
            if (target instanceof FakeCompletionPort p) {
                handles.remove(handle);
                p.close();
                return true;
            }
            if (target instanceof FakeSocket s) {
                close(s);
                return true;
            }
            return failBool(ERROR_INVALID_HANDLE);
        });
    }

    // ================================================================ internals (lock held unless noted)

    /** Runs {@code action} under the state lock after {@code millis}, on the fake's timer thread. */
    private void later(long millis, Runnable action) {
        if (timer == null) {
            timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fake-win32-timer");
                t.setDaemon(true);
                return t;
            });
        }
        timer.schedule(() -> locked(() -> {
            action.run();
            return null;
        }), millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Runs {@code body} under the state lock. */
    private <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code body} under the lock on an open socket; fails with WSAENOTSOCK if there is none. */
    private int withSocket(long handle, ToIntFunction<FakeSocket> body) {
        return locked(() -> {
            FakeSocket s = socket(handle);
            return s == null ? fail(WSAENOTSOCK) : body.applyAsInt(s);
        });
    }

    /** Like {@link #withSocket} for BOOL functions, failing with {@code missing}. */
    private boolean withSocketBool(long handle, int missing, Predicate<FakeSocket> body) {
        return locked(() -> {
            FakeSocket s = socket(handle);
            return s == null ? failBool(missing) : body.test(s);
        });
    }

    /** Test hooks: runs {@code body} under the lock on a socket that must be open. */
    private <T> T onSocket(long handle, Function<FakeSocket, T> body) {
        return locked(() -> body.apply(requireSocket(handle)));
    }

    private FakeSocket newSocket(int family) {
        FakeSocket s = new FakeSocket(freeHandle(), family);
        handles.put(s.handle, s);
        return s;
    }

    private FakeCompletionPort newPort() {
        FakeCompletionPort p = new FakeCompletionPort(freeHandle());
        handles.put(p.handle(), p);
        return p;
    }

    /** The lowest free multiple of 4: kernel handles are multiples of 4, and a closed one is reused at once. */
    private long freeHandle() {
        long h = FIRST_HANDLE;
        while (handles.containsKey(h)) {
            h += 4;
        }
        return h;
    }

    private FakeSocket socket(long handle) {
        return handles.get(handle) instanceof FakeSocket s && s.state != FakeSocket.State.CLOSED ? s : null;
    }

    /** Lock not needed: the handle table is concurrent and a port is immutable apart from its own lock. */
    private FakeCompletionPort port(long handle) {
        return handles.get(handle) instanceof FakeCompletionPort p ? p : null;
    }

    private FakeSocket requireSocket(long handle) {
        FakeSocket s = socket(handle);
        if (s == null) {
            throw new IllegalArgumentException("no open fake socket " + handle);
        }
        return s;
    }

    private FakeCompletionPort requirePort(long handle) {
        FakeCompletionPort p = port(handle);
        if (p == null) {
            throw new IllegalArgumentException("no fake completion port " + handle);
        }
        return p;
    }

    private InetSocketAddress bindEphemeral(FakeSocket s, InetAddress address) {
        int port = nextEphemeralPort++;
        boundPorts.computeIfAbsent(port, p -> new ArrayList<>()).add(s);
        s.state = FakeSocket.State.BOUND;
        return new InetSocketAddress(address, port);
    }

    private static InetAddress loopback(int family) {
        try {
            return InetAddress.getByAddress(family == AF_INET ? new byte[] {127, 0, 0, 1}
                    : new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The address a peer sees for a socket bound to a wildcard address. */
    private static InetSocketAddress concrete(InetSocketAddress address, int family) {
        return address.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(loopback(family), address.getPort()) : address;
    }

    /**
     * Connects two sockets. A socket bound to a wildcard address gets the concrete local address of
     * the connection, as getsockname reports it on Windows once a connection exists.
     */
    private static void connect(FakeSocket a, FakeSocket b) {
        a.state = FakeSocket.State.CONNECTED;
        b.state = FakeSocket.State.CONNECTED;
        a.peer = b;
        b.peer = a;
        a.local = concrete(a.local, a.family);
        b.local = concrete(b.local, b.family);
        a.remote = b.local;
        b.remote = a.local;
    }

    /**
     * The listener a connection to {@code target} from a socket of {@code clientFamily} reaches: one of
     * the same family, or an IPv6 listener on the wildcard address with IPV6_V6ONLY cleared for an IPv4
     * client (Windows makes IPv6 sockets v6-only by default).
     */
    private FakeSocket listenerFor(InetSocketAddress target, int clientFamily) {
        List<FakeSocket> bound = boundPorts.get(target.getPort());
        if (bound == null) {
            return null;
        }
        for (FakeSocket s : bound) {
            if (s.state != FakeSocket.State.LISTENING) {
                continue;
            }
            if (s.family == clientFamily) {
                return s;
            }
            if (s.family == AF_INET6 && clientFamily == AF_INET && !v6Only(s) && s.local.getAddress().isAnyLocalAddress()) {
                return s;
            }
        }
        return null;
    }

    private static boolean v6Only(FakeSocket s) {
        byte[] option = s.options.get(optionKey(IPPROTO_IPV6, IPV6_V6ONLY));
        return option == null || MemorySegment.ofArray(option).get(JAVA_BYTE, 0) != 0;
    }

    /**
     * The backlog listen makes of its argument: a plain value is capped at 200 (listen page: the
     * provider's "maximum reasonable value"); {@code SOMAXCONN_HINT(n)} (a negative value) is n adjusted
     * into 200..65535.
     */
    static int backlogOf(int argument) {
        if (argument == SOMAXCONN) {
            return 200;
        }
        if (argument < 0) {
            return Math.clamp(-(long) argument, 200, 65535);
        }
        return Math.clamp(argument, 1, 200);
    }

    /** A client connects to a listener: completes a pending AcceptEx or joins the backlog. */
    private boolean offerConnection(FakeSocket listener, FakeSocket client) {
        if (listener.accepts.isEmpty() && listener.backlog.size() >= listener.backlogLimit) {
            return false;
        }
        FakeSocket serverSide = new FakeSocket(0, listener.family);
        // An IPv4 client of a dual-stack listener reached it at an IPv4 address (reported mapped, ::ffff:a.b.c.d).
        serverSide.local = client.family != listener.family
                ? new InetSocketAddress(loopback(client.family), listener.local.getPort())
                : concrete(listener.local, listener.family);
        connect(serverSide, client);
        FakeSocket.Accept accept = listener.accepts.pollFirst();
        if (accept == null) {
            listener.backlog.addLast(serverSide);
        } else {
            finishAccept(accept, serverSide);
            complete(listener, accept.overlapped(), STATUS_SUCCESS, 0);
        }
        return true;
    }

    /**
     * The accept socket takes over a connection; the address blocks are written into the output buffer
     * in the fake's internal format: each block is a 2-byte length, then the sockaddr (at an offset that
     * is not 4-byte aligned, as AcceptEx's own format need not be), then zeros. Only
     * {@link #getAcceptExSockaddrs} reads it, as on Windows.
     */
    private void finishAccept(FakeSocket.Accept accept, FakeSocket connection) {
        FakeSocket target = accept.acceptSocket();
        target.adopt(connection);
        writeAddressBlock(target.local, target.family, accept.output().asSlice(0, accept.localLength()));
        writeAddressBlock(target.remote, target.family, accept.output().asSlice(accept.localLength(), accept.remoteLength()));
        target.pump(completer);
    }

    private static final int ADDRESS_BLOCK_HEADER = 2;

    private static void writeAddressBlock(InetSocketAddress address, int family, MemorySegment block) {
        block.fill((byte) 0);
        // Encoded into aligned scratch, then copied to the unaligned place (the fake is the kernel here).
        MemorySegment scratch = MemorySegment.ofArray(new long[(SockAddrs.MAX_LENGTH + 7) / 8]);
        int length = SockAddrs.encode(address, family, scratch);
        block.set(JAVA_SHORT_UNALIGNED, 0, (short) length);
        MemorySegment.copy(scratch, 0, block, ADDRESS_BLOCK_HEADER, length);
    }

    private void close(FakeSocket s) {
        FakeSocket.State before = s.state;
        s.state = FakeSocket.State.CLOSED;
        handles.remove(s.handle);
        // closesocket aborts everything pending; what status each completes with is not documented
        // ("fail with the error status WSA_OPERATION_ABORTED"): other IOCP libraries see
        // STATUS_LOCAL_DISCONNECT for transfers and STATUS_REQUEST_ABORTED for AcceptEx/ConnectEx, not
        // STATUS_CANCELLED, so the fake uses those and the backend must not rely on the status.
        s.abort(op -> true, op -> op instanceof FakeSocket.Receive || op instanceof FakeSocket.Send
                || op instanceof FakeSocket.ReceiveFrom ? STATUS_LOCAL_DISCONNECT : STATUS_REQUEST_ABORTED, completer);
        for (Object other : handles.values()) {
            if (other instanceof FakeSocket listener) {
                listener.cancel(op -> op instanceof FakeSocket.Accept a && a.acceptSocket() == s, completer);
            }
        }
        if (before == FakeSocket.State.CONNECTED && s.peer != null && s.peer.state != FakeSocket.State.CLOSED) {
            if (abortiveClose(s)) {
                s.peer.reset = true;
            } else {
                s.peer.endOfStream = true;
            }
            s.peer.pump(completer);
        }
        for (FakeSocket waiting : s.backlog) {
            if (waiting.peer != null) {
                waiting.peer.reset = true;
                waiting.peer.pump(completer);
            }
        }
        s.backlog.clear();
        if (s.local != null) {
            List<FakeSocket> bound = boundPorts.get(s.local.getPort());
            if (bound != null && bound.remove(s) && bound.isEmpty()) {
                boundPorts.remove(s.local.getPort());
            }
        }
    }

    /**
     * UDP routing of a datagram from {@code sender} to {@code target}: a multicast group reaches every
     * member bound to the port (the sender too while IP_MULTICAST_LOOP is on, Windows' default); a
     * unicast address reaches one socket bound to it (or to the wildcard; an IPv6 wildcard socket
     * with IPV6_V6ONLY cleared takes IPv4 too) unless that socket is connected to someone else. A
     * loopback port nobody holds answers with ICMP port unreachable.
     */
    private void route(FakeSocket sender, InetSocketAddress target, byte[] payload) {
        InetAddress destination = target.getAddress();
        boolean v4 = destination instanceof java.net.Inet4Address;
        InetSocketAddress from = v4 && sender.family == AF_INET6
                ? new InetSocketAddress(loopback(AF_INET), sender.local.getPort())
                : concrete(sender.local, sender.family);
        List<FakeSocket> bound = boundPorts.getOrDefault(target.getPort(), List.of());
        if (destination.isMulticastAddress()) {
            if (!optionOn(sender, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MULTICAST_LOOP : IPV6_MULTICAST_LOOP)) {
                return; // every fake socket is on this host
            }
            for (FakeSocket r : List.copyOf(bound)) {
                if (r.type == SOCK_DGRAM && r.groups.contains(destination) && reaches(r, destination)) {
                    r.offer(new FakeSocket.Datagram(payload, from), completer);
                }
            }
            return;
        }
        for (FakeSocket r : bound) {
            if (r.type == SOCK_DGRAM && r.state != FakeSocket.State.CLOSED && reaches(r, destination)) {
                if (r.remote == null || r.remote.equals(from)) {
                    r.offer(new FakeSocket.Datagram(payload, from), completer);
                }
                return;
            }
        }
        if (destination.isLoopbackAddress()) {
            sender.portUnreachable(completer);
        }
    }

    /** Whether a datagram socket bound as {@code r} receives what is sent to {@code destination} at its port. */
    private static boolean reaches(FakeSocket r, InetAddress destination) {
        InetAddress local = r.local.getAddress();
        if (destination instanceof java.net.Inet4Address) {
            if (r.family == AF_INET) {
                return local.isAnyLocalAddress() || local.equals(destination);
            }
            return !v6Only(r) && local.isAnyLocalAddress();
        }
        return r.family == AF_INET6 && (local.isAnyLocalAddress() || local.equals(destination));
    }

    /** UDP option defaults (Windows: multicast TTL/hops 1, multicast loopback on, broadcast and TOS off). */
    private static Integer datagramDefault(int level, int name) {
        if (level == SOL_SOCKET && name == SO_BROADCAST) {
            return 0;
        }
        if ((level == IPPROTO_IP && (name == IP_MULTICAST_TTL || name == IP_MULTICAST_LOOP))
                || (level == IPPROTO_IPV6 && (name == IPV6_MULTICAST_HOPS || name == IPV6_MULTICAST_LOOP))) {
            return 1;
        }
        if ((level == IPPROTO_IP && name == IP_TOS) || (level == IPPROTO_IPV6 && name == IPV6_TCLASS)) {
            return 0;
        }
        return null;
    }

    /** Whether an int option is set to non-zero, its default applied. */
    private static boolean optionOn(FakeSocket s, int level, int name) {
        byte[] stored = s.options.get(optionKey(level, name));
        if (stored == null) {
            Integer d = datagramDefault(level, name);
            return d != null && d != 0;
        }
        return MemorySegment.ofArray(stored).get(JAVA_BYTE, 0) != 0;
    }

    private static boolean isMembership(int level, int name) {
        return (level == IPPROTO_IP && (name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP))
                || (level == IPPROTO_IPV6 && (name == IPV6_ADD_MEMBERSHIP || name == IPV6_DROP_MEMBERSHIP));
    }

    /** IP_ADD/DROP_MEMBERSHIP and their IPv6 forms; the interface is not modelled (every fake socket is on loopback). */
    private int membership(FakeSocket s, int level, int name, MemorySegment value, int valueLength) {
        boolean v4 = level == IPPROTO_IP;
        long size = v4 ? MulticastRequest.IP_MREQ.byteSize() : MulticastRequest.IPV6_MREQ.byteSize();
        if (valueLength < size) {
            return fail(WSAEFAULT);
        }
        if (!v4 && s.family != AF_INET6) {
            return fail(WSAEINVAL);
        }
        InetAddress group;
        try {
            group = InetAddress.getByAddress(v4 ? MulticastRequest.ipv4Group(value) : MulticastRequest.ipv6Group(value));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
        if (!group.isMulticastAddress()) {
            return fail(WSAEINVAL);
        }
        boolean join = name == (v4 ? IP_ADD_MEMBERSHIP : IPV6_ADD_MEMBERSHIP);
        if (join ? !s.groups.add(group) : !s.groups.remove(group)) {
            return fail(join ? WSAEADDRINUSE : WSAEADDRNOTAVAIL);
        }
        return 0;
    }

    /**
     * Whether another program on this machine holds a UDP port: the fake's port space is its own, but a
     * port a real socket holds (a test's java.net socket) counts as taken, as it would on one machine.
     */
    private static boolean takenOnThisMachine(InetSocketAddress address) {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(null)) {
            probe.bind(address);
            return false;
        } catch (java.net.BindException e) {
            return true;
        } catch (java.io.IOException e) {
            return false; // an address this machine does not have: the fake's own ports decide
        }
    }

    private static InetAddress wildcard(int family) {
        try {
            return InetAddress.getByAddress(new byte[family == AF_INET ? 4 : 16]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Linger on with timeout 0, or unread data, makes closesocket send a reset. */
    private static boolean abortiveClose(FakeSocket s) {
        byte[] option = s.options.get(optionKey(SOL_SOCKET, SO_LINGER));
        boolean lingerZero = false;
        if (option != null && option.length >= Linger.LAYOUT.byteSize()) {
            MemorySegment linger = MemorySegment.ofArray(new short[2]); // a short[] is 2-aligned, like the struct
            MemorySegment.copy(option, 0, linger, JAVA_BYTE, 0, (int) Linger.LAYOUT.byteSize());
            lingerZero = Linger.enabled(linger) && Linger.seconds(linger) == 0;
        }
        return lingerZero || s.inbound.size() > 0;
    }

    private int socketAddress(long socket, MemorySegment name, MemorySegment nameLength, boolean peer) {
        requireNative(name, nameLength);
        return withSocket(socket, s -> {
            InetSocketAddress address = peer ? s.remote : s.local;
            if (address == null) {
                return fail(peer ? WSAENOTCONN : WSAEINVAL);
            }
            if (nameLength.get(JAVA_INT, 0) < SockAddrs.length(s.family)) {
                return fail(WSAEFAULT);
            }
            nameLength.set(JAVA_INT, 0, SockAddrs.encode(address, s.family, name));
            return 0;
        });
    }

    /**
     * The memory the WSABUFs point to, as the kernel sees it: raw addresses and lengths. Restricted
     * by nature: like the kernel, the fake trusts the caller's WSABUF (that is what it tests).
     */
    @SuppressWarnings("restricted")
    private static List<MemorySegment> wsaBufs(MemorySegment array, int count) {
        List<MemorySegment> buffers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            buffers.add(MemorySegment.ofAddress(WsaBuf.buffer(array, i)).reinterpret(WsaBuf.length(array, i)));
        }
        return buffers;
    }

    private static void markPending(MemorySegment overlapped) {
        Overlapped.complete(overlapped, STATUS_PENDING, 0);
    }

    /** A synchronous success: the result is written, and a packet queued unless the socket skips it. */
    private void completeSynchronously(FakeSocket owner, MemorySegment overlapped, int bytes) {
        Overlapped.complete(overlapped, STATUS_SUCCESS, bytes);
        if (!owner.skipsCompletionOnSuccess() || layeredProvider) {
            queuePacket(owner, overlapped, STATUS_SUCCESS, bytes);
        }
    }

    /** Completion of a pending operation: the result is written and a packet queued. */
    private void complete(FakeSocket owner, MemorySegment overlapped, int status, int bytes) {
        Overlapped.complete(overlapped, status, bytes);
        queuePacket(owner, overlapped, status, bytes);
    }

    private void queuePacket(FakeSocket owner, MemorySegment overlapped, int status, int bytes) {
        if (owner.port != null) {
            deliver(new FakeCompletion(owner.port.handle(), owner.completionKey, overlapped.address(), status, bytes));
        }
    }

    /** Hands a packet to the active hold, or queues it. Any thread, any lock state. */
    private void deliver(FakeCompletion packet) {
        CompletionHold active = hold;
        if (active == null || !active.offer(packet)) {
            enqueue(packet);
        }
    }

    private void enqueue(FakeCompletion packet) {
        FakeCompletionPort p = port(packet.port());
        if (p != null) {
            p.enqueue(packet);
        }
    }

    /** How WSAGetOverlappedResult reports an NTSTATUS (the mapping ws2_32 applies). */
    static int winsockError(int status) {
        return switch (status) {
            case STATUS_CANCELLED, STATUS_REQUEST_ABORTED -> WSA_OPERATION_ABORTED;
            case STATUS_CONNECTION_RESET, STATUS_REMOTE_DISCONNECT -> WSAECONNRESET;
            case STATUS_CONNECTION_REFUSED -> WSAECONNREFUSED;
            case STATUS_CONNECTION_ABORTED, STATUS_LOCAL_DISCONNECT -> WSAECONNABORTED;
            case STATUS_IO_TIMEOUT -> WSAETIMEDOUT;
            case STATUS_BUFFER_OVERFLOW -> WSAEMSGSIZE;
            case STATUS_PORT_UNREACHABLE -> WSAECONNRESET;
            default -> WSAEINVAL;
        };
    }

    private static long optionKey(int level, int name) {
        return ((long) level << 32) | Integer.toUnsignedLong(name);
    }

    private static void setIfPresent(MemorySegment dword, int value) {
        if (!dword.equals(MemorySegment.NULL)) {
            dword.set(JAVA_INT, 0, value);
        }
    }

    private int fail(int error) {
        lastError.get()[0] = error;
        return SOCKET_ERROR;
    }

    /** Fails a handle-returning kernel32 call: its failure value is NULL (0). */
    private long failHandle(int error) {
        lastError.get()[0] = error;
        return 0L;
    }

    private boolean failBool(int error) {
        lastError.get()[0] = error;
        return false;
    }

    private void requireExtensions() {
        if (!extensionsLoaded) {
            throw new IllegalStateException("call loadExtensionFunctions(socket) first");
        }
    }

    private static void requireOverlapped(MemorySegment overlapped) {
        if (overlapped.equals(MemorySegment.NULL)) {
            throw new UnsupportedOperationException("FakeWin32 models overlapped I/O only");
        }
    }

    /** The linker rejects heap segments; so does the fake, so tests catch what Windows would. */
    private static void requireNative(MemorySegment... segments) {
        for (MemorySegment segment : segments) {
            if (!segment.isNative()) {
                throw new IllegalArgumentException("Heap segment not allowed: " + segment);
            }
        }
    }
}
