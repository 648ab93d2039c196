package dev.fiberio.iocp.win32;

import java.lang.foreign.MemorySegment;

/**
 * Every Win32 / Winsock call the IOCP backend makes. {@link Win32Native} calls the real DLLs;
 * the test-scope {@code FakeWin32} is an in-memory completion port with fake sockets, so the
 * poller's logic runs on any OS.
 *
 * <h2>Return convention</h2>
 * Each method returns the function's raw result, unchanged except that a {@code BOOL} becomes a
 * {@code boolean}: Winsock {@code int} functions return 0 or {@link Win32Constants#SOCKET_ERROR},
 * handle-returning functions return the handle or their documented failure value
 * ({@link Win32Constants#INVALID_SOCKET}, 0 for CreateIoCompletionPort). When a result reports a
 * failure, {@link #lastError()} returns the error the failed call left: {@code WSAGetLastError} for
 * ws2_32 and extension functions, {@code GetLastError} for kernel32, captured right after the call
 * and kept per thread, so reading it allocates nothing. Read it before the next call on the same
 * thread, and before the fiber can suspend (a fiber may resume on another carrier thread). After a
 * successful call its value is unspecified. {@link #wsaStartup} is the exception: it returns its
 * error code directly.
 *
 * <h2>Arguments</h2>
 * Sockets and handles are {@code long}. Every pointer is a {@link MemorySegment}, which must be
 * native (the linker rejects heap segments); {@link MemorySegment#NULL} passes NULL. Out-parameters
 * (DWORD counts, flags, lengths) are caller-owned segments too, so no call allocates. Optional
 * Win32 parameters fiberio never uses are fixed: no protocol info, group or completion routine, and
 * GetQueuedCompletionStatusEx is never alertable.
 *
 * <h2>Memory the kernel writes later</h2>
 * An overlapped call that returns pending keeps using its OVERLAPPED, data buffers and address
 * blocks until its completion is dequeued; see the package documentation for the ownership rule.
 *
 * <p>Implementations are thread-safe.
 */
public interface Win32 {

    /**
     * The error code left by the last failed call on this thread (see the class documentation).
     *
     * @return a Win32 or Winsock error code
     */
    int lastError();

    // ---- Winsock lifecycle ----

    /**
     * {@code WSAStartup(wVersionRequested, lpWSAData)} (winsock2.h). Returns its error directly
     * instead of through {@link #lastError()}.
     *
     * @param version {@link Win32Constants#WINSOCK_VERSION_2_2}
     * @param wsaData a {@link WsaData#LAYOUT}-sized segment that receives the implementation details
     * @return 0, or a Winsock error code
     */
    int wsaStartup(short version, MemorySegment wsaData);

    /**
     * {@code WSACleanup()} (winsock2.h); one per successful {@link #wsaStartup}.
     *
     * @return 0 or SOCKET_ERROR
     */
    int wsaCleanup();

    // ---- sockets ----

    /**
     * {@code WSASocketW(af, type, protocol, NULL, 0, dwFlags)} (winsock2.h).
     *
     * @param af {@code AF_INET} or {@code AF_INET6}
     * @param type {@code SOCK_STREAM}
     * @param protocol {@code IPPROTO_TCP}
     * @param flags {@code WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT}
     * @return the socket, or {@link Win32Constants#INVALID_SOCKET}
     */
    long wsaSocket(int af, int type, int protocol, int flags);

    /**
     * {@code bind(s, name, namelen)} (winsock2.h).
     *
     * @param socket the socket
     * @param name a sockaddr, see {@link SockAddrs#encode}
     * @param nameLength its length
     * @return 0 or SOCKET_ERROR
     */
    int bind(long socket, MemorySegment name, int nameLength);

    /**
     * {@code listen(s, backlog)} (winsock2.h).
     *
     * @param socket a bound socket
     * @param backlog the backlog, or {@link Win32Constants#SOMAXCONN}
     * @return 0 or SOCKET_ERROR
     */
    int listen(long socket, int backlog);

    /**
     * {@code closesocket(s)} (winsock2.h). Pending overlapped operations on the socket complete with
     * ERROR_OPERATION_ABORTED; their memory stays owned by the kernel until those completions are dequeued.
     *
     * @param socket the socket
     * @return 0 or SOCKET_ERROR
     */
    int closesocket(long socket);

    /**
     * {@code shutdown(s, how)} (winsock2.h).
     *
     * @param socket a connected socket
     * @param how {@code SD_RECEIVE}, {@code SD_SEND} or {@code SD_BOTH}
     * @return 0 or SOCKET_ERROR
     */
    int shutdown(long socket, int how);

    /**
     * {@code setsockopt(s, level, optname, optval, optlen)} (winsock2.h).
     *
     * @param socket the socket
     * @param level e.g. {@code SOL_SOCKET}
     * @param name e.g. {@code SO_RCVBUF}
     * @param value the option value (an int, a {@link Linger}, a SOCKET for SO_UPDATE_ACCEPT_CONTEXT...)
     * @param valueLength its length
     * @return 0 or SOCKET_ERROR
     */
    int setsockopt(long socket, int level, int name, MemorySegment value, int valueLength);

    /**
     * {@code getsockopt(s, level, optname, optval, optlen)} (winsock2.h).
     *
     * @param socket the socket
     * @param level the level
     * @param name the option
     * @param value receives the value
     * @param valueLength in/out int: the buffer size, then the value's size
     * @return 0 or SOCKET_ERROR
     */
    int getsockopt(long socket, int level, int name, MemorySegment value, MemorySegment valueLength);

    /**
     * {@code getsockname(s, name, namelen)} (winsock2.h).
     *
     * @param socket the socket
     * @param name receives the local sockaddr ({@link SockAddrs#SOCKADDR_STORAGE} is large enough)
     * @param nameLength in/out int
     * @return 0 or SOCKET_ERROR
     */
    int getsockname(long socket, MemorySegment name, MemorySegment nameLength);

    /**
     * {@code getpeername(s, name, namelen)} (winsock2.h).
     *
     * @param socket a connected socket
     * @param name receives the peer sockaddr
     * @param nameLength in/out int
     * @return 0 or SOCKET_ERROR
     */
    int getpeername(long socket, MemorySegment name, MemorySegment nameLength);

    /**
     * {@code WSAIoctl(s, code, in, inLen, out, outLen, bytesReturned, overlapped, NULL)} (winsock2.h).
     *
     * @param socket the socket
     * @param controlCode e.g. {@link Win32Constants#SIO_GET_EXTENSION_FUNCTION_POINTER}
     * @param in input buffer or NULL
     * @param inLength its length
     * @param out output buffer or NULL
     * @param outLength its length
     * @param bytesReturned receives the output size (DWORD)
     * @param overlapped NULL for a blocking call
     * @return 0 or SOCKET_ERROR
     */
    int wsaIoctl(long socket, int controlCode, MemorySegment in, int inLength, MemorySegment out, int outLength,
                 MemorySegment bytesReturned, MemorySegment overlapped);

    // ---- extension functions (mswsock.h) ----

    /**
     * Loads AcceptEx, ConnectEx and GetAcceptExSockaddrs with
     * {@code WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)} on {@code socket}. Must succeed once
     * before the three methods below are used; later calls return 0 and keep the first result. The
     * pointers belong to the socket's provider; fiberio assumes the one Microsoft TCP/IP provider
     * serves both AF_INET and AF_INET6 (true unless a layered provider is installed).
     *
     * @param socket any TCP socket
     * @return 0 or SOCKET_ERROR
     */
    int loadExtensionFunctions(long socket);

    /**
     * {@code AcceptEx(sListenSocket, sAcceptSocket, lpOutputBuffer, dwReceiveDataLength,
     * dwLocalAddressLength, dwRemoteAddressLength, lpdwBytesReceived, lpOverlapped)}.
     * The completion is queued to the listen socket's port. Afterwards, set
     * {@link Win32Constants#SO_UPDATE_ACCEPT_CONTEXT} on the accepted socket.
     *
     * @param listenSocket a listening socket
     * @param acceptSocket a fresh, unbound socket of the same family
     * @param outputBuffer receives data (if any) and then the two address blocks
     * @param receiveDataLength bytes of data to wait for; fiberio uses 0
     * @param localAddressLength {@link Win32Constants#ACCEPTEX_ADDRESS_LENGTH}
     * @param remoteAddressLength {@link Win32Constants#ACCEPTEX_ADDRESS_LENGTH}
     * @param bytesReceived receives the data byte count on synchronous success (DWORD)
     * @param overlapped the operation's OVERLAPPED
     * @return true on synchronous success; false with lastError ERROR_IO_PENDING when started
     * @throws IllegalStateException if {@link #loadExtensionFunctions} has not succeeded
     */
    boolean acceptEx(long listenSocket, long acceptSocket, MemorySegment outputBuffer, int receiveDataLength,
                     int localAddressLength, int remoteAddressLength, MemorySegment bytesReceived,
                     MemorySegment overlapped);

    /**
     * {@code ConnectEx(s, name, namelen, lpSendBuffer, dwSendDataLength, lpdwBytesSent, lpOverlapped)}.
     * The socket must be bound (to a wildcard address, port 0) first. Afterwards, set
     * {@link Win32Constants#SO_UPDATE_CONNECT_CONTEXT}.
     *
     * @param socket an unconnected, bound socket
     * @param name the peer sockaddr
     * @param nameLength its length
     * @param sendBuffer data to send once connected, or NULL
     * @param sendLength its length
     * @param bytesSent receives the bytes sent on synchronous success (DWORD), may be NULL without data
     * @param overlapped the operation's OVERLAPPED
     * @return true on synchronous success; false with lastError ERROR_IO_PENDING when started
     * @throws IllegalStateException if {@link #loadExtensionFunctions} has not succeeded
     */
    boolean connectEx(long socket, MemorySegment name, int nameLength, MemorySegment sendBuffer, int sendLength,
                      MemorySegment bytesSent, MemorySegment overlapped);

    /**
     * {@code GetAcceptExSockaddrs(...)}: finds the two addresses in a completed AcceptEx buffer. The
     * returned pointers point into {@code outputBuffer}.
     *
     * @param outputBuffer the AcceptEx output buffer
     * @param receiveDataLength as passed to AcceptEx
     * @param localAddressLength as passed to AcceptEx
     * @param remoteAddressLength as passed to AcceptEx
     * @param localSockaddr receives a {@code sockaddr*} (8 bytes)
     * @param localSockaddrLength receives its length (int)
     * @param remoteSockaddr receives a {@code sockaddr*} (8 bytes)
     * @param remoteSockaddrLength receives its length (int)
     * @throws IllegalStateException if {@link #loadExtensionFunctions} has not succeeded
     */
    void getAcceptExSockaddrs(MemorySegment outputBuffer, int receiveDataLength, int localAddressLength,
                              int remoteAddressLength, MemorySegment localSockaddr, MemorySegment localSockaddrLength,
                              MemorySegment remoteSockaddr, MemorySegment remoteSockaddrLength);

    // ---- overlapped data transfer ----

    /**
     * {@code WSARecv(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpOverlapped, NULL)}.
     *
     * @param socket a connected socket
     * @param buffers a {@link WsaBuf} array (may be reused as soon as the call returns)
     * @param bufferCount entries in it
     * @param bytesReceived receives the count on synchronous success (DWORD), or NULL: the count is
     *        then read from {@link Overlapped#bytesTransferred} (the doc page recommends NULL with an OVERLAPPED)
     * @param flags in/out DWORD, normally 0 on input; must not be NULL
     * @param overlapped the operation's OVERLAPPED
     * @return 0 on synchronous success (0 bytes = end of stream); SOCKET_ERROR with lastError
     *         WSA_IO_PENDING when started, or another error when it failed (no completion then)
     */
    int wsaRecv(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesReceived,
                MemorySegment flags, MemorySegment overlapped);

    /**
     * {@code WSASend(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpOverlapped, NULL)}.
     *
     * @param socket a connected socket
     * @param buffers a {@link WsaBuf} array
     * @param bufferCount entries in it
     * @param bytesSent receives the count on synchronous success (DWORD), or NULL
     * @param flags send flags, normally 0
     * @param overlapped the operation's OVERLAPPED
     * @return 0 on synchronous success; SOCKET_ERROR with lastError WSA_IO_PENDING when started
     */
    int wsaSend(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesSent, int flags,
                MemorySegment overlapped);

    /**
     * {@code WSARecvFrom(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpFrom, lpFromlen,
     * lpOverlapped, NULL)}: receives one datagram and its source address. A datagram longer than the
     * buffers is truncated: the call (or its completion) reports WSAEMSGSIZE with the buffers filled, and
     * the rest is discarded.
     *
     * @param socket a datagram socket (bound)
     * @param buffers a {@link WsaBuf} array
     * @param bufferCount entries in it
     * @param bytesReceived receives the count on synchronous success (DWORD), or NULL
     * @param flags in/out DWORD, 0 on input; must not be NULL
     * @param from receives the source sockaddr when the operation completes (must stay valid until then)
     * @param fromLength in/out int: the size of {@code from}, then the address's length (valid until completion too)
     * @param overlapped the operation's OVERLAPPED
     * @return 0 on synchronous success; SOCKET_ERROR with lastError WSA_IO_PENDING when started, or another
     *         error when it did not start ("no completion indication will occur")
     */
    int wsaRecvFrom(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesReceived,
                    MemorySegment flags, MemorySegment from, MemorySegment fromLength, MemorySegment overlapped);

    /**
     * {@code WSASendTo(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo, iTolen,
     * lpOverlapped, NULL)}: sends one datagram.
     *
     * @param socket a datagram socket
     * @param buffers a {@link WsaBuf} array
     * @param bufferCount entries in it
     * @param bytesSent receives the count on synchronous success (DWORD), or NULL
     * @param flags send flags, 0
     * @param to the destination sockaddr, or NULL on a connected socket
     * @param toLength its length (0 with NULL)
     * @param overlapped the operation's OVERLAPPED
     * @return 0 on synchronous success; SOCKET_ERROR with lastError WSA_IO_PENDING when started, or another
     *         error (e.g. WSAEMSGSIZE, WSAEACCES for a broadcast without SO_BROADCAST)
     */
    int wsaSendTo(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesSent, int flags,
                  MemorySegment to, int toLength, MemorySegment overlapped);

    /**
     * {@code connect(s, name, namelen)} (winsock2.h), for datagram sockets: sets (or, with a zeroed
     * address, dissolves) the default peer; never waits. An unbound socket is bound implicitly.
     *
     * @param socket a datagram socket
     * @param name the peer sockaddr, or a zeroed one (family AF_UNSPEC) to disconnect
     * @param nameLength its length
     * @return 0 or SOCKET_ERROR
     */
    int connect(long socket, MemorySegment name, int nameLength);

    /**
     * {@code WSAGetOverlappedResult(s, lpOverlapped, lpcbTransfer, FALSE, lpdwFlags)}: the result of a
     * completed operation as a Winsock error code, e.g. after a completion whose status is not
     * {@code STATUS_SUCCESS}.
     *
     * @param socket the socket the operation was started on
     * @param overlapped its OVERLAPPED
     * @param bytesTransferred receives the byte count (DWORD)
     * @param flags receives the flags (DWORD)
     * @return true if the operation succeeded; false with lastError its Winsock error
     *         (WSA_IO_INCOMPLETE if it is still pending)
     */
    boolean wsaGetOverlappedResult(long socket, MemorySegment overlapped, MemorySegment bytesTransferred,
                                   MemorySegment flags);

    // ---- completion ports (ioapiset.h, winbase.h, handleapi.h) ----

    /**
     * {@code CreateIoCompletionPort(FileHandle, ExistingCompletionPort, CompletionKey,
     * NumberOfConcurrentThreads)}: creates a port ({@code INVALID_HANDLE_VALUE, 0, 0, n}) or
     * associates a socket with one ({@code socket, port, key, 0}).
     *
     * @param fileHandle a socket, or {@link Win32Constants#INVALID_HANDLE_VALUE} to create a port
     * @param existingPort the port to associate with, or 0
     * @param completionKey the key the socket's completions carry
     * @param concurrentThreads for a new port, 0 = one per processor
     * @return the port handle, or 0 on failure
     */
    long createIoCompletionPort(long fileHandle, long existingPort, long completionKey, int concurrentThreads);

    /**
     * {@code GetQueuedCompletionStatusEx(port, entries, ulCount, ulNumEntriesRemoved, dwMilliseconds, FALSE)}:
     * waits for and removes up to {@code count} completion packets. Several threads may wait on one port.
     *
     * @param port the port
     * @param entries an array of {@code count} {@link OverlappedEntry} records
     * @param count maximum entries to remove, at least 1
     * @param entriesRemoved receives the number removed (ULONG)
     * @param timeoutMillis 0 to poll, {@link Win32Constants#INFINITE}, or a wait in milliseconds
     * @return true if at least one entry was removed; false with lastError WAIT_TIMEOUT on timeout,
     *         ERROR_ABANDONED_WAIT_0 if the port was closed while waiting
     */
    boolean getQueuedCompletionStatusEx(long port, MemorySegment entries, int count, MemorySegment entriesRemoved,
                                        int timeoutMillis);

    /**
     * {@code PostQueuedCompletionStatus(port, dwNumberOfBytesTransferred, dwCompletionKey, lpOverlapped)}:
     * queues a packet, e.g. to wake a waiting poller thread.
     *
     * @param port the port
     * @param bytesTransferred delivered as the entry's byte count
     * @param completionKey delivered as the entry's key
     * @param overlapped delivered as the entry's OVERLAPPED address (may be NULL)
     * @return true, or false on failure
     */
    boolean postQueuedCompletionStatus(long port, int bytesTransferred, long completionKey, MemorySegment overlapped);

    /**
     * {@code SetFileCompletionNotificationModes(FileHandle, Flags)} (winbase.h). Modes cannot be removed.
     *
     * @param handle a socket
     * @param flags {@link Win32Constants#FILE_SKIP_COMPLETION_PORT_ON_SUCCESS} | {@link Win32Constants#FILE_SKIP_SET_EVENT_ON_HANDLE}
     * @return true, or false on failure
     */
    boolean setFileCompletionNotificationModes(long handle, byte flags);

    /**
     * {@code CancelIoEx(hFile, lpOverlapped)} (ioapiset.h): asks the pending operation(s) to end.
     * Each cancelled operation still completes, with ERROR_OPERATION_ABORTED (or normally, if it won
     * the race); its memory is the kernel's until that completion is dequeued.
     *
     * @param handle the socket the operation was started on (for AcceptEx: the listen socket)
     * @param overlapped that operation's OVERLAPPED, or NULL for all on the handle
     * @return true if cancellation was requested; false with lastError ERROR_NOT_FOUND if nothing was pending
     */
    boolean cancelIoEx(long handle, MemorySegment overlapped);

    /**
     * {@code CloseHandle(hObject)} (handleapi.h): closes a completion port. Threads blocked in
     * GetQueuedCompletionStatusEx on it return with ERROR_ABANDONED_WAIT_0. (Close sockets with
     * {@link #closesocket}.)
     *
     * @param handle the handle
     * @return true, or false on failure
     */
    boolean closeHandle(long handle);
}
