package dev.fiberio.iocp.win32;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * {@link Win32} through FFM downcalls into ws2_32.dll and kernel32.dll.
 *
 * <p>Implementation overview: {@link #load()} links one downcall per {@link Win32Function}, each
 * with {@code captureCallState("GetLastError", "WSAGetLastError")}; the handles are final fields,
 * written in the constructor and read by any thread. Every call passes the calling thread's capture
 * segment from {@link CallState} (allocated once per thread, never per call) and returns the raw
 * result; {@link #lastError()} reads that thread's segment. The extension functions are linked by
 * the first successful {@link #loadExtensionFunctions} and published through the volatile field
 * {@link #extensions} (written once; a racing second load links the same pointers and is harmless).
 * Besides that per-thread segment, this class allocates no native memory: all buffers are the caller's.
 *
 * <p>This class loads on any OS (no native lookup happens before {@link #load()}), so code that
 * merely mentions it runs on Linux.
 */
public final class Win32Native implements Win32 {

    private final Win32Linker linker;
    private final CallState callState;
    private final MethodHandle wsaStartup;
    private final MethodHandle wsaCleanup;
    private final MethodHandle wsaSocketW;
    private final MethodHandle bind;
    private final MethodHandle listen;
    private final MethodHandle closesocket;
    private final MethodHandle shutdown;
    private final MethodHandle setsockopt;
    private final MethodHandle getsockopt;
    private final MethodHandle getsockname;
    private final MethodHandle getpeername;
    private final MethodHandle wsaIoctl;
    private final MethodHandle wsaRecv;
    private final MethodHandle wsaSend;
    private final MethodHandle wsaRecvFrom;
    private final MethodHandle wsaSendTo;
    private final MethodHandle connect;
    private final MethodHandle wsaGetOverlappedResult;
    private final MethodHandle createIoCompletionPort;
    private final MethodHandle getQueuedCompletionStatusEx;
    private final MethodHandle postQueuedCompletionStatus;
    private final MethodHandle setFileCompletionNotificationModes;
    private final MethodHandle cancelIoEx;
    private final MethodHandle closeHandle;
    /** Null until {@link #loadExtensionFunctions} succeeded; volatile: set by one thread, read by all. */
    private volatile ExtensionFunctions extensions;

    Win32Native(Win32Linker linker, CallState callState) {
        this.linker = linker;
        this.callState = callState;
        wsaStartup = linker.downcall(Win32Function.WSA_STARTUP);
        wsaCleanup = linker.downcall(Win32Function.WSA_CLEANUP);
        wsaSocketW = linker.downcall(Win32Function.WSA_SOCKET_W);
        bind = linker.downcall(Win32Function.BIND);
        listen = linker.downcall(Win32Function.LISTEN);
        closesocket = linker.downcall(Win32Function.CLOSESOCKET);
        shutdown = linker.downcall(Win32Function.SHUTDOWN);
        setsockopt = linker.downcall(Win32Function.SETSOCKOPT);
        getsockopt = linker.downcall(Win32Function.GETSOCKOPT);
        getsockname = linker.downcall(Win32Function.GETSOCKNAME);
        getpeername = linker.downcall(Win32Function.GETPEERNAME);
        wsaIoctl = linker.downcall(Win32Function.WSA_IOCTL);
        wsaRecv = linker.downcall(Win32Function.WSA_RECV);
        wsaSend = linker.downcall(Win32Function.WSA_SEND);
        wsaRecvFrom = linker.downcall(Win32Function.WSA_RECV_FROM);
        wsaSendTo = linker.downcall(Win32Function.WSA_SEND_TO);
        connect = linker.downcall(Win32Function.CONNECT);
        wsaGetOverlappedResult = linker.downcall(Win32Function.WSA_GET_OVERLAPPED_RESULT);
        createIoCompletionPort = linker.downcall(Win32Function.CREATE_IO_COMPLETION_PORT);
        getQueuedCompletionStatusEx = linker.downcall(Win32Function.GET_QUEUED_COMPLETION_STATUS_EX);
        postQueuedCompletionStatus = linker.downcall(Win32Function.POST_QUEUED_COMPLETION_STATUS);
        setFileCompletionNotificationModes = linker.downcall(Win32Function.SET_FILE_COMPLETION_NOTIFICATION_MODES);
        cancelIoEx = linker.downcall(Win32Function.CANCEL_IO_EX);
        closeHandle = linker.downcall(Win32Function.CLOSE_HANDLE);
    }

    /**
     * Links the bindings to the real DLLs.
     *
     * @return the bindings
     * @throws UnsupportedOperationException when not running on Windows
     */
    public static Win32Native load() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("windows")) {
            throw new UnsupportedOperationException(
                    "The IOCP backend needs Windows (ws2_32.dll, kernel32.dll); this is " + os
                            + ". Use the epoll backend on Linux.");
        }
        return new Win32Native(Win32Linker.windows(), CallState.windows());
    }

    @Override
    public int lastError() {
        return callState.lastError();
    }

    @Override
    public int wsaStartup(short version, MemorySegment wsaData) {
        try {
            return (int) wsaStartup.invokeExact(state(Win32Function.WSA_STARTUP), version, wsaData);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int wsaCleanup() {
        try {
            return (int) wsaCleanup.invokeExact(state(Win32Function.WSA_CLEANUP));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public long wsaSocket(int af, int type, int protocol, int flags) {
        try {
            return (long) wsaSocketW.invokeExact(state(Win32Function.WSA_SOCKET_W), af, type, protocol,
                    MemorySegment.NULL, 0, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int bind(long socket, MemorySegment name, int nameLength) {
        try {
            return (int) bind.invokeExact(state(Win32Function.BIND), socket, name, nameLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int listen(long socket, int backlog) {
        try {
            return (int) listen.invokeExact(state(Win32Function.LISTEN), socket, backlog);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int closesocket(long socket) {
        try {
            return (int) closesocket.invokeExact(state(Win32Function.CLOSESOCKET), socket);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int shutdown(long socket, int how) {
        try {
            return (int) shutdown.invokeExact(state(Win32Function.SHUTDOWN), socket, how);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int setsockopt(long socket, int level, int name, MemorySegment value, int valueLength) {
        try {
            return (int) setsockopt.invokeExact(state(Win32Function.SETSOCKOPT), socket, level, name, value, valueLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int getsockopt(long socket, int level, int name, MemorySegment value, MemorySegment valueLength) {
        try {
            return (int) getsockopt.invokeExact(state(Win32Function.GETSOCKOPT), socket, level, name, value, valueLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int getsockname(long socket, MemorySegment name, MemorySegment nameLength) {
        try {
            return (int) getsockname.invokeExact(state(Win32Function.GETSOCKNAME), socket, name, nameLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int getpeername(long socket, MemorySegment name, MemorySegment nameLength) {
        try {
            return (int) getpeername.invokeExact(state(Win32Function.GETPEERNAME), socket, name, nameLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int wsaIoctl(long socket, int controlCode, MemorySegment in, int inLength, MemorySegment out, int outLength,
                        MemorySegment bytesReturned, MemorySegment overlapped) {
        try {
            return (int) wsaIoctl.invokeExact(state(Win32Function.WSA_IOCTL), socket, controlCode, in, inLength,
                    out, outLength, bytesReturned, overlapped, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int loadExtensionFunctions(long socket) {
        if (extensions != null) {
            return 0;
        }
        ExtensionFunctions loaded = ExtensionFunctions.load(this, linker, socket);
        if (loaded == null) {
            return Win32Constants.SOCKET_ERROR;
        }
        extensions = loaded;
        return 0;
    }

    @Override
    public boolean acceptEx(long listenSocket, long acceptSocket, MemorySegment outputBuffer, int receiveDataLength,
                            int localAddressLength, int remoteAddressLength, MemorySegment bytesReceived,
                            MemorySegment overlapped) {
        MethodHandle function = extensions().acceptEx();
        try {
            return (int) function.invokeExact(state(Win32Function.ACCEPT_EX), listenSocket, acceptSocket, outputBuffer,
                    receiveDataLength, localAddressLength, remoteAddressLength, bytesReceived, overlapped) != 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public boolean connectEx(long socket, MemorySegment name, int nameLength, MemorySegment sendBuffer, int sendLength,
                             MemorySegment bytesSent, MemorySegment overlapped) {
        MethodHandle function = extensions().connectEx();
        try {
            return (int) function.invokeExact(state(Win32Function.CONNECT_EX), socket, name, nameLength, sendBuffer,
                    sendLength, bytesSent, overlapped) != 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public void getAcceptExSockaddrs(MemorySegment outputBuffer, int receiveDataLength, int localAddressLength,
                                     int remoteAddressLength, MemorySegment localSockaddr,
                                     MemorySegment localSockaddrLength, MemorySegment remoteSockaddr,
                                     MemorySegment remoteSockaddrLength) {
        MethodHandle function = extensions().getAcceptExSockaddrs();
        try {
            function.invokeExact(state(Win32Function.GET_ACCEPT_EX_SOCKADDRS), outputBuffer, receiveDataLength,
                    localAddressLength, remoteAddressLength, localSockaddr, localSockaddrLength, remoteSockaddr,
                    remoteSockaddrLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int wsaRecv(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesReceived,
                       MemorySegment flags, MemorySegment overlapped) {
        requireArray(buffers, WsaBuf.arraySize(bufferCount), "WSABUF");
        try {
            return (int) wsaRecv.invokeExact(state(Win32Function.WSA_RECV), socket, buffers, bufferCount, bytesReceived,
                    flags, overlapped, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int wsaSend(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesSent, int flags,
                       MemorySegment overlapped) {
        requireArray(buffers, WsaBuf.arraySize(bufferCount), "WSABUF");
        try {
            return (int) wsaSend.invokeExact(state(Win32Function.WSA_SEND), socket, buffers, bufferCount, bytesSent,
                    flags, overlapped, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int wsaRecvFrom(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesReceived,
                           MemorySegment flags, MemorySegment from, MemorySegment fromLength, MemorySegment overlapped) {
        requireArray(buffers, WsaBuf.arraySize(bufferCount), "WSABUF");
        try {
            return (int) wsaRecvFrom.invokeExact(state(Win32Function.WSA_RECV_FROM), socket, buffers, bufferCount,
                    bytesReceived, flags, from, fromLength, overlapped, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int wsaSendTo(long socket, MemorySegment buffers, int bufferCount, MemorySegment bytesSent, int flags,
                         MemorySegment to, int toLength, MemorySegment overlapped) {
        requireArray(buffers, WsaBuf.arraySize(bufferCount), "WSABUF");
        try {
            return (int) wsaSendTo.invokeExact(state(Win32Function.WSA_SEND_TO), socket, buffers, bufferCount,
                    bytesSent, flags, to, toLength, overlapped, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int connect(long socket, MemorySegment name, int nameLength) {
        try {
            return (int) connect.invokeExact(state(Win32Function.CONNECT), socket, name, nameLength);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public boolean wsaGetOverlappedResult(long socket, MemorySegment overlapped, MemorySegment bytesTransferred,
                                          MemorySegment flags) {
        try {
            return (int) wsaGetOverlappedResult.invokeExact(state(Win32Function.WSA_GET_OVERLAPPED_RESULT), socket,
                    overlapped, bytesTransferred, 0, flags) != 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public long createIoCompletionPort(long fileHandle, long existingPort, long completionKey, int concurrentThreads) {
        try {
            return (long) createIoCompletionPort.invokeExact(state(Win32Function.CREATE_IO_COMPLETION_PORT), fileHandle,
                    existingPort, completionKey, concurrentThreads);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public boolean getQueuedCompletionStatusEx(long port, MemorySegment entries, int count,
                                               MemorySegment entriesRemoved, int timeoutMillis) {
        requireArray(entries, OverlappedEntry.arraySize(count), "OVERLAPPED_ENTRY");
        try {
            return (int) getQueuedCompletionStatusEx.invokeExact(state(Win32Function.GET_QUEUED_COMPLETION_STATUS_EX),
                    port, entries, count, entriesRemoved, timeoutMillis, 0) != 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public boolean postQueuedCompletionStatus(long port, int bytesTransferred, long completionKey,
                                              MemorySegment overlapped) {
        try {
            return (int) postQueuedCompletionStatus.invokeExact(state(Win32Function.POST_QUEUED_COMPLETION_STATUS),
                    port, bytesTransferred, completionKey, overlapped) != 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public boolean setFileCompletionNotificationModes(long handle, byte flags) {
        try {
            return (int) setFileCompletionNotificationModes.invokeExact(
                    state(Win32Function.SET_FILE_COMPLETION_NOTIFICATION_MODES), handle, flags) != 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public boolean cancelIoEx(long handle, MemorySegment overlapped) {
        try {
            return (int) cancelIoEx.invokeExact(state(Win32Function.CANCEL_IO_EX), handle, overlapped) != 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public boolean closeHandle(long handle) {
        try {
            return (int) closeHandle.invokeExact(state(Win32Function.CLOSE_HANDLE), handle) != 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private MemorySegment state(Win32Function function) {
        return callState.segmentFor(function);
    }

    private ExtensionFunctions extensions() {
        ExtensionFunctions loaded = extensions;
        if (loaded == null) {
            throw new IllegalStateException("call loadExtensionFunctions(socket) first");
        }
        return loaded;
    }

    /** The kernel reads {@code count} records through the pointer: check the segment holds them. */
    static void requireArray(MemorySegment array, long bytes, String what) {
        if (array.byteSize() < bytes) {
            throw new IllegalArgumentException(what + " array of " + array.byteSize() + " bytes, need " + bytes);
        }
    }

    /** Downcalls throw only unchecked exceptions (e.g. a heap segment argument); pass them on. */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }
}
