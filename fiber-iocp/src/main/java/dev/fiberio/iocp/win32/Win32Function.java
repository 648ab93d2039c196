package dev.fiberio.iocp.win32;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;

/**
 * Every native function {@link Win32Native} calls: where it lives and its x64 signature.
 *
 * <p>Type mapping (Windows x64, LLP64): {@code int}, {@code DWORD}, {@code ULONG}, {@code GROUP}
 * and {@code BOOL} are {@code JAVA_INT}; {@code WORD} is {@code JAVA_SHORT}; {@code UCHAR} is
 * {@code JAVA_BYTE}; {@code SOCKET}, {@code HANDLE} and {@code ULONG_PTR} are {@code JAVA_LONG}
 * (the x64 calling convention passes pointers and 64-bit integers alike, and fiberio keeps handles
 * as {@code long}); every other pointer is {@code ADDRESS}. Signatures are from the SDK headers
 * (winsock2.h, mswsock.h, ioapiset.h, winbase.h, handleapi.h) and the matching doc pages.
 */
enum Win32Function {

    /** {@code int WSAStartup(WORD, LPWSADATA)}. */
    WSA_STARTUP(Library.WS2_32, "WSAStartup", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS)),
    /** {@code int WSACleanup(void)}. */
    WSA_CLEANUP(Library.WS2_32, "WSACleanup", FunctionDescriptor.of(JAVA_INT)),
    /** {@code SOCKET WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW, GROUP, DWORD)}. */
    WSA_SOCKET_W(Library.WS2_32, "WSASocketW",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)),
    /** {@code int bind(SOCKET, const sockaddr*, int)}. */
    BIND(Library.WS2_32, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT)),
    /** {@code int listen(SOCKET, int)}. */
    LISTEN(Library.WS2_32, "listen", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT)),
    /** {@code int closesocket(SOCKET)}. */
    CLOSESOCKET(Library.WS2_32, "closesocket", FunctionDescriptor.of(JAVA_INT, JAVA_LONG)),
    /** {@code int shutdown(SOCKET, int how)}. */
    SHUTDOWN(Library.WS2_32, "shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT)),
    /** {@code int setsockopt(SOCKET, int level, int optname, const char*, int optlen)}. */
    SETSOCKOPT(Library.WS2_32, "setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)),
    /** {@code int getsockopt(SOCKET, int level, int optname, char*, int* optlen)}. */
    GETSOCKOPT(Library.WS2_32, "getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code int getsockname(SOCKET, sockaddr*, int*)}. */
    GETSOCKNAME(Library.WS2_32, "getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS)),
    /** {@code int getpeername(SOCKET, sockaddr*, int*)}. */
    GETPEERNAME(Library.WS2_32, "getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS)),
    /** {@code int WSAIoctl(SOCKET, DWORD, LPVOID, DWORD, LPVOID, DWORD, LPDWORD, LPWSAOVERLAPPED, LPWSAOVERLAPPED_COMPLETION_ROUTINE)}. */
    WSA_IOCTL(Library.WS2_32, "WSAIoctl", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
    /** {@code int WSARecv(SOCKET, LPWSABUF, DWORD, LPDWORD, LPDWORD lpFlags, LPWSAOVERLAPPED, completion routine)}. */
    WSA_RECV(Library.WS2_32, "WSARecv", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS)),
    /** {@code int WSASend(SOCKET, LPWSABUF, DWORD, LPDWORD, DWORD dwFlags, LPWSAOVERLAPPED, completion routine)}. */
    WSA_SEND(Library.WS2_32, "WSASend", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code int WSARecvFrom(SOCKET, LPWSABUF, DWORD, LPDWORD, LPDWORD lpFlags, sockaddr* lpFrom, LPINT lpFromlen, LPWSAOVERLAPPED, completion routine)}. */
    WSA_RECV_FROM(Library.WS2_32, "WSARecvFrom", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS)),
    /** {@code int WSASendTo(SOCKET, LPWSABUF, DWORD, LPDWORD, DWORD dwFlags, const sockaddr* lpTo, int iTolen, LPWSAOVERLAPPED, completion routine)}. */
    WSA_SEND_TO(Library.WS2_32, "WSASendTo", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code int connect(SOCKET, const sockaddr*, int)} (used for datagram sockets only: it never waits there). */
    CONNECT(Library.WS2_32, "connect", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT)),
    /** {@code BOOL WSAGetOverlappedResult(SOCKET, LPWSAOVERLAPPED, LPDWORD, BOOL fWait, LPDWORD)}. */
    WSA_GET_OVERLAPPED_RESULT(Library.WS2_32, "WSAGetOverlappedResult", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, ADDRESS)),

    /** {@code HANDLE CreateIoCompletionPort(HANDLE, HANDLE, ULONG_PTR, DWORD)}. */
    CREATE_IO_COMPLETION_PORT(Library.KERNEL32, "CreateIoCompletionPort",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT)),
    /** {@code BOOL GetQueuedCompletionStatusEx(HANDLE, LPOVERLAPPED_ENTRY, ULONG, PULONG, DWORD, BOOL fAlertable)}. */
    GET_QUEUED_COMPLETION_STATUS_EX(Library.KERNEL32, "GetQueuedCompletionStatusEx",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)),
    /** {@code BOOL PostQueuedCompletionStatus(HANDLE, DWORD, ULONG_PTR, LPOVERLAPPED)}. */
    POST_QUEUED_COMPLETION_STATUS(Library.KERNEL32, "PostQueuedCompletionStatus",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS)),
    /** {@code BOOL SetFileCompletionNotificationModes(HANDLE, UCHAR)}. */
    SET_FILE_COMPLETION_NOTIFICATION_MODES(Library.KERNEL32, "SetFileCompletionNotificationModes",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_BYTE)),
    /** {@code BOOL CancelIoEx(HANDLE, LPOVERLAPPED)}. */
    CANCEL_IO_EX(Library.KERNEL32, "CancelIoEx", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS)),
    /** {@code BOOL CloseHandle(HANDLE)}. */
    CLOSE_HANDLE(Library.KERNEL32, "CloseHandle", FunctionDescriptor.of(JAVA_INT, JAVA_LONG)),

    /** {@code BOOL AcceptEx(SOCKET, SOCKET, PVOID, DWORD, DWORD, DWORD, LPDWORD, LPOVERLAPPED)} (LPFN_ACCEPTEX). */
    ACCEPT_EX(Library.EXTENSION, "AcceptEx", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code BOOL ConnectEx(SOCKET, const sockaddr*, int, PVOID, DWORD, LPDWORD, LPOVERLAPPED)} (LPFN_CONNECTEX). */
    CONNECT_EX(Library.EXTENSION, "ConnectEx", FunctionDescriptor.of(JAVA_INT,
            JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
    /** {@code void GetAcceptExSockaddrs(PVOID, DWORD, DWORD, DWORD, sockaddr**, LPINT, sockaddr**, LPINT)}. */
    GET_ACCEPT_EX_SOCKADDRS(Library.EXTENSION, "GetAcceptExSockaddrs", FunctionDescriptor.ofVoid(
            ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));

    /** Where a function's address comes from, and which captured error it reports through. */
    enum Library {
        /** ws2_32.dll; errors through WSAGetLastError. */
        WS2_32,
        /** kernel32.dll; errors through GetLastError. */
        KERNEL32,
        /** A Winsock extension function loaded with WSAIoctl; errors through WSAGetLastError. */
        EXTENSION
    }

    private final Library library;
    private final String symbol;
    private final FunctionDescriptor descriptor;

    Win32Function(Library library, String symbol, FunctionDescriptor descriptor) {
        this.library = library;
        this.symbol = symbol;
        this.descriptor = descriptor;
    }

    /** The library the function lives in. */
    Library library() {
        return library;
    }

    /** The exported name (for extension functions, the name used in errors only). */
    String symbol() {
        return symbol;
    }

    /** The x64 signature. */
    FunctionDescriptor descriptor() {
        return descriptor;
    }

    /** Whether the function reports errors through WSAGetLastError rather than GetLastError. */
    boolean reportsWsaError() {
        return library != Library.KERNEL32;
    }
}
