package dev.fiberio.iocp.win32;

/**
 * Win32 and Winsock constants used by the IOCP backend (x86_64 Windows values).
 *
 * <p>Every value names the SDK header it comes from. All of them are checked against the MinGW-w64
 * headers by {@code Win32LayoutsTest}, through the generated {@code win32-layouts.properties}
 * (see {@code src/test/native/gen-win32-layouts.sh}). DWORD-typed values that do not fit a Java
 * {@code int} as a positive number (e.g. {@link #INFINITE}) are stored with the same 32 bits.
 */
public final class Win32Constants {

    private Win32Constants() {
    }

    // ---- address families, socket types, protocols (ws2def.h) ----

    /** {@code AF_UNSPEC} (ws2def.h): unspecified address family. */
    public static final int AF_UNSPEC = 0;
    /** {@code AF_INET} (ws2def.h): IPv4. */
    public static final int AF_INET = 2;
    /** {@code AF_INET6} (ws2def.h): IPv6; 23 on Windows, unlike Linux's 10. */
    public static final int AF_INET6 = 23;
    /** {@code SOCK_STREAM} (winsock2.h): stream socket. */
    public static final int SOCK_STREAM = 1;
    /** {@code IPPROTO_TCP} (ws2def.h). */
    public static final int IPPROTO_TCP = 6;
    /** {@code IPPROTO_IPV6} (ws2def.h). */
    public static final int IPPROTO_IPV6 = 41;
    /** {@code SOCK_DGRAM} (winsock2.h): datagram socket. */
    public static final int SOCK_DGRAM = 2;
    /** {@code IPPROTO_UDP} (ws2def.h). */
    public static final int IPPROTO_UDP = 17;
    /** {@code IPPROTO_IP} (ws2def.h): the level of the IPv4 options. */
    public static final int IPPROTO_IP = 0;

    // ---- socket options (winsock2.h, ws2def.h, ws2ipdef.h, mswsock.h) ----

    /** {@code SOL_SOCKET} (winsock2.h): socket-level option level. */
    public static final int SOL_SOCKET = 0xffff;
    /** {@code SO_REUSEADDR} (winsock2.h). */
    public static final int SO_REUSEADDR = 0x0004;
    /** {@code SO_EXCLUSIVEADDRUSE} (winsock2.h): {@code ((int)(~SO_REUSEADDR))}. */
    public static final int SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR;
    /** {@code SO_KEEPALIVE} (winsock2.h). */
    public static final int SO_KEEPALIVE = 0x0008;
    /** {@code SO_SNDBUF} (winsock2.h). */
    public static final int SO_SNDBUF = 0x1001;
    /** {@code SO_RCVBUF} (winsock2.h). */
    public static final int SO_RCVBUF = 0x1002;
    /** {@code SO_LINGER} (winsock2.h); the value is a {@code linger} struct, see {@link Linger}. */
    public static final int SO_LINGER = 0x0080;
    /** {@code SO_ERROR} (winsock2.h). */
    public static final int SO_ERROR = 0x1007;
    /** {@code SO_UPDATE_ACCEPT_CONTEXT} (mswsock.h): set on an AcceptEx socket, value = the listen socket. */
    public static final int SO_UPDATE_ACCEPT_CONTEXT = 0x700B;
    /** {@code SO_UPDATE_CONNECT_CONTEXT} (mswsock.h): set on a ConnectEx socket after it completed. */
    public static final int SO_UPDATE_CONNECT_CONTEXT = 0x7010;
    /** {@code TCP_NODELAY} (ws2def.h), level {@link #IPPROTO_TCP}. */
    public static final int TCP_NODELAY = 0x0001;
    /** {@code IPV6_V6ONLY} (ws2ipdef.h), level {@link #IPPROTO_IPV6}. */
    public static final int IPV6_V6ONLY = 27;
    /** {@code SO_BROADCAST} (winsock2.h): a datagram socket may send to a broadcast address. */
    public static final int SO_BROADCAST = 0x0020;
    /** {@code IP_TOS} (ws2ipdef.h), level {@link #IPPROTO_IP}. */
    public static final int IP_TOS = 3;
    /** {@code IP_MULTICAST_IF} (ws2ipdef.h): a DWORD, an IPv4 address or an index in 0.0.0.0/8, network byte order. */
    public static final int IP_MULTICAST_IF = 9;
    /** {@code IP_MULTICAST_TTL} (ws2ipdef.h): a DWORD. */
    public static final int IP_MULTICAST_TTL = 10;
    /** {@code IP_MULTICAST_LOOP} (ws2ipdef.h): a DWORD boolean. */
    public static final int IP_MULTICAST_LOOP = 11;
    /** {@code IP_ADD_MEMBERSHIP} (ws2ipdef.h): an {@code ip_mreq}, see {@link MulticastRequest}. */
    public static final int IP_ADD_MEMBERSHIP = 12;
    /** {@code IP_DROP_MEMBERSHIP} (ws2ipdef.h): an {@code ip_mreq}. */
    public static final int IP_DROP_MEMBERSHIP = 13;
    /** {@code IPV6_MULTICAST_IF} (ws2ipdef.h): a DWORD interface index. */
    public static final int IPV6_MULTICAST_IF = 9;
    /** {@code IPV6_MULTICAST_HOPS} (ws2ipdef.h): a DWORD. */
    public static final int IPV6_MULTICAST_HOPS = 10;
    /** {@code IPV6_MULTICAST_LOOP} (ws2ipdef.h): a DWORD boolean. */
    public static final int IPV6_MULTICAST_LOOP = 11;
    /** {@code IPV6_ADD_MEMBERSHIP} (ws2ipdef.h, = IPV6_JOIN_GROUP): an {@code ipv6_mreq}. */
    public static final int IPV6_ADD_MEMBERSHIP = 12;
    /** {@code IPV6_DROP_MEMBERSHIP} (ws2ipdef.h, = IPV6_LEAVE_GROUP): an {@code ipv6_mreq}. */
    public static final int IPV6_DROP_MEMBERSHIP = 13;
    /** {@code IPV6_TCLASS} (ws2ipdef.h): the IPv6 traffic class. */
    public static final int IPV6_TCLASS = 39;
    /** {@code SOMAXCONN} (winsock2.h): "as large a backlog as the provider allows". */
    public static final int SOMAXCONN = 0x7fffffff;
    /** {@code SO_PROTOCOL_INFOW} (winsock2.h): getsockopt returns the socket's {@link ProtocolInfo}. */
    public static final int SO_PROTOCOL_INFOW = 0x2005;
    /** {@code XP1_IFS_HANDLES} (winsock2.h): a {@link ProtocolInfo} service flag: the provider's handles are IFS handles. */
    public static final int XP1_IFS_HANDLES = 0x00020000;

    // ---- shutdown, WSASocketW, WSAIoctl, WSAStartup (winsock2.h) ----

    /** {@code SD_RECEIVE} (winsock2.h): shutdown the receive side. */
    public static final int SD_RECEIVE = 0;
    /** {@code SD_SEND} (winsock2.h): shutdown the send side (sends FIN). */
    public static final int SD_SEND = 1;
    /** {@code SD_BOTH} (winsock2.h). */
    public static final int SD_BOTH = 2;
    /** {@code WSA_FLAG_OVERLAPPED} (winsock2.h): the socket supports overlapped I/O. */
    public static final int WSA_FLAG_OVERLAPPED = 0x01;
    /** {@code WSA_FLAG_NO_HANDLE_INHERIT} (winsock2.h): the socket handle is not inheritable. */
    public static final int WSA_FLAG_NO_HANDLE_INHERIT = 0x80;
    /**
     * {@code FIONREAD} (winsock2.h): {@code _IOR('f',127,u_long)}, the bytes one receive would take now,
     * asked through a non-overlapped WSAIoctl (output a 4-byte u_long); 0 at the end of the stream too.
     */
    public static final int FIONREAD = 0x4004667F;

    /** {@code SIO_GET_EXTENSION_FUNCTION_POINTER} (winsock2.h): {@code _WSAIORW(IOC_WS2,6)}. */
    public static final int SIO_GET_EXTENSION_FUNCTION_POINTER = 0xC8000006;
    /**
     * {@code SIO_UDP_CONNRESET} (mswsock.h): {@code _WSAIOW(IOC_VENDOR,12)}; input a BOOL. TRUE (Windows'
     * default) makes a receive fail with WSAECONNRESET after a datagram the socket sent drew an ICMP
     * port unreachable.
     */
    public static final int SIO_UDP_CONNRESET = 0x9800000C;
    /** {@code INVALID_SOCKET} (winsock2.h): {@code (SOCKET)(~0)}. */
    public static final long INVALID_SOCKET = -1L;
    /** {@code SOCKET_ERROR} (winsock2.h): the failure result of most Winsock functions. */
    public static final int SOCKET_ERROR = -1;
    /** {@code MAKEWORD(2, 2)} (winsock2.h): the Winsock version passed to WSAStartup. */
    public static final short WINSOCK_VERSION_2_2 = 0x0202;
    /**
     * Size of each address block of an AcceptEx output buffer: "at least 16 bytes more than the
     * maximum address length for the transport protocol in use" (AcceptEx docs), i.e.
     * {@code sizeof(sockaddr_in6) + 16}.
     */
    public static final int ACCEPTEX_ADDRESS_LENGTH = 28 + 16;

    // ---- kernel32 (handleapi.h, winbase.h) ----

    /** {@code INVALID_HANDLE_VALUE} (handleapi.h): {@code ((HANDLE)(LONG_PTR)-1)}. */
    public static final long INVALID_HANDLE_VALUE = -1L;
    /** {@code INFINITE} (winbase.h): 0xFFFFFFFF, the wait-forever timeout. */
    public static final int INFINITE = 0xFFFFFFFF;
    /** {@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS} (winbase.h): no packet for a synchronous success. */
    public static final byte FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 0x1;
    /** {@code FILE_SKIP_SET_EVENT_ON_HANDLE} (winbase.h): do not signal the handle's event. */
    public static final byte FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;

    // ---- Win32 error codes (winerror.h) ----

    /** {@code ERROR_SUCCESS} (winerror.h). */
    public static final int ERROR_SUCCESS = 0;
    /** {@code ERROR_TOO_MANY_OPEN_FILES} (winerror.h). */
    public static final int ERROR_TOO_MANY_OPEN_FILES = 4;
    /** {@code ERROR_INVALID_HANDLE} (winerror.h). */
    public static final int ERROR_INVALID_HANDLE = 6;
    /** {@code ERROR_NOT_ENOUGH_MEMORY} (winerror.h). */
    public static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    /** {@code ERROR_NETNAME_DELETED} (winerror.h): how a reset connection often completes on a port. */
    public static final int ERROR_NETNAME_DELETED = 64;
    /** {@code ERROR_INVALID_PARAMETER} (winerror.h). */
    public static final int ERROR_INVALID_PARAMETER = 87;
    /** {@code ERROR_SEM_TIMEOUT} (winerror.h): how a timed-out ConnectEx often completes. */
    public static final int ERROR_SEM_TIMEOUT = 121;
    /** {@code WAIT_TIMEOUT} (winerror.h): GetQueuedCompletionStatusEx timed out. */
    public static final int WAIT_TIMEOUT = 258;
    /** {@code ERROR_ABANDONED_WAIT_0} (winerror.h): the port was closed during GetQueuedCompletionStatusEx. */
    public static final int ERROR_ABANDONED_WAIT_0 = 735;
    /** {@code ERROR_OPERATION_ABORTED} (winerror.h): the I/O was cancelled (CancelIoEx or close). */
    public static final int ERROR_OPERATION_ABORTED = 995;
    /** {@code ERROR_IO_INCOMPLETE} (winerror.h). */
    public static final int ERROR_IO_INCOMPLETE = 996;
    /** {@code ERROR_IO_PENDING} (winerror.h): the overlapped operation was started and completes later. */
    public static final int ERROR_IO_PENDING = 997;
    /** {@code ERROR_NOT_FOUND} (winerror.h): CancelIoEx found nothing to cancel. */
    public static final int ERROR_NOT_FOUND = 1168;
    /** {@code ERROR_CONNECTION_REFUSED} (winerror.h). */
    public static final int ERROR_CONNECTION_REFUSED = 1225;
    /** {@code ERROR_NETWORK_UNREACHABLE} (winerror.h). */
    public static final int ERROR_NETWORK_UNREACHABLE = 1231;
    /** {@code ERROR_HOST_UNREACHABLE} (winerror.h). */
    public static final int ERROR_HOST_UNREACHABLE = 1232;
    /** {@code ERROR_PORT_UNREACHABLE} (winerror.h). */
    public static final int ERROR_PORT_UNREACHABLE = 1234;
    /** {@code ERROR_CONNECTION_ABORTED} (winerror.h). */
    public static final int ERROR_CONNECTION_ABORTED = 1236;
    /** {@code ERROR_NO_SYSTEM_RESOURCES} (winerror.h). */
    public static final int ERROR_NO_SYSTEM_RESOURCES = 1450;

    // ---- Winsock error codes (winerror.h, winsock2.h) ----

    /** {@code WSA_IO_PENDING} (winsock2.h): equals {@link #ERROR_IO_PENDING}. */
    public static final int WSA_IO_PENDING = ERROR_IO_PENDING;
    /** {@code WSA_IO_INCOMPLETE} (winsock2.h): equals {@link #ERROR_IO_INCOMPLETE}. */
    public static final int WSA_IO_INCOMPLETE = ERROR_IO_INCOMPLETE;
    /** {@code WSA_OPERATION_ABORTED} (winsock2.h): equals {@link #ERROR_OPERATION_ABORTED}. */
    public static final int WSA_OPERATION_ABORTED = ERROR_OPERATION_ABORTED;
    /** {@code WSAEINTR} (winerror.h). */
    public static final int WSAEINTR = 10004;
    /** {@code WSAEACCES} (winerror.h). */
    public static final int WSAEACCES = 10013;
    /** {@code WSAEFAULT} (winerror.h). */
    public static final int WSAEFAULT = 10014;
    /** {@code WSAEINVAL} (winerror.h). */
    public static final int WSAEINVAL = 10022;
    /** {@code WSAEMFILE} (winerror.h): no more socket descriptors. */
    public static final int WSAEMFILE = 10024;
    /** {@code WSAEMSGSIZE} (winerror.h): a datagram was truncated, or is too long to send. */
    public static final int WSAEMSGSIZE = 10040;
    /** {@code WSAEWOULDBLOCK} (winerror.h). */
    public static final int WSAEWOULDBLOCK = 10035;
    /** {@code WSAENOTSOCK} (winerror.h): not a (open) socket. */
    public static final int WSAENOTSOCK = 10038;
    /** {@code WSAEADDRINUSE} (winerror.h). */
    public static final int WSAEADDRINUSE = 10048;
    /** {@code WSAEADDRNOTAVAIL} (winerror.h). */
    public static final int WSAEADDRNOTAVAIL = 10049;
    /** {@code WSAENETDOWN} (winerror.h). */
    public static final int WSAENETDOWN = 10050;
    /** {@code WSAENETUNREACH} (winerror.h). */
    public static final int WSAENETUNREACH = 10051;
    /** {@code WSAENETRESET} (winerror.h). */
    public static final int WSAENETRESET = 10052;
    /** {@code WSAECONNABORTED} (winerror.h). */
    public static final int WSAECONNABORTED = 10053;
    /** {@code WSAECONNRESET} (winerror.h). */
    public static final int WSAECONNRESET = 10054;
    /** {@code WSAENOBUFS} (winerror.h): no buffer space. */
    public static final int WSAENOBUFS = 10055;
    /** {@code WSAEISCONN} (winerror.h). */
    public static final int WSAEISCONN = 10056;
    /** {@code WSAENOTCONN} (winerror.h). */
    public static final int WSAENOTCONN = 10057;
    /** {@code WSAESHUTDOWN} (winerror.h). */
    public static final int WSAESHUTDOWN = 10058;
    /** {@code WSAETIMEDOUT} (winerror.h). */
    public static final int WSAETIMEDOUT = 10060;
    /** {@code WSAECONNREFUSED} (winerror.h). */
    public static final int WSAECONNREFUSED = 10061;
    /** {@code WSAEHOSTUNREACH} (winerror.h). */
    public static final int WSAEHOSTUNREACH = 10065;
    /** {@code WSANOTINITIALISED} (winerror.h): WSAStartup was not called. */
    public static final int WSANOTINITIALISED = 10093;

    // ---- NTSTATUS values in OVERLAPPED.Internal / OVERLAPPED_ENTRY.Internal (ntstatus.h) ----

    /** {@code STATUS_SUCCESS} (ntstatus.h). */
    public static final int STATUS_SUCCESS = 0x00000000;
    /** {@code STATUS_PENDING} (ntstatus.h): set in OVERLAPPED.Internal while the I/O is in flight. */
    public static final int STATUS_PENDING = 0x00000103;
    /**
     * {@code STATUS_BUFFER_OVERFLOW} (ntstatus.h): a warning, not an error: the datagram did not fit and
     * was truncated; the byte count is what was copied. Reported as {@link #WSAEMSGSIZE}.
     */
    public static final int STATUS_BUFFER_OVERFLOW = 0x80000005;
    /** {@code STATUS_PORT_UNREACHABLE} (ntstatus.h): an ICMP port unreachable reached a datagram socket. */
    public static final int STATUS_PORT_UNREACHABLE = 0xC000023F;
    /** {@code STATUS_CANCELLED} (ntstatus.h): reported as {@link #ERROR_OPERATION_ABORTED}. */
    public static final int STATUS_CANCELLED = 0xC0000120;
    /** {@code STATUS_CONNECTION_RESET} (ntstatus.h). */
    public static final int STATUS_CONNECTION_RESET = 0xC000020D;
    /** {@code STATUS_CONNECTION_REFUSED} (ntstatus.h). */
    public static final int STATUS_CONNECTION_REFUSED = 0xC0000236;
    /** {@code STATUS_CONNECTION_ABORTED} (ntstatus.h). */
    public static final int STATUS_CONNECTION_ABORTED = 0xC0000241;
    /** {@code STATUS_LOCAL_DISCONNECT} (ntstatus.h). */
    public static final int STATUS_LOCAL_DISCONNECT = 0xC000013B;
    /** {@code STATUS_REMOTE_DISCONNECT} (ntstatus.h). */
    public static final int STATUS_REMOTE_DISCONNECT = 0xC000013C;
    /** {@code STATUS_IO_TIMEOUT} (ntstatus.h). */
    public static final int STATUS_IO_TIMEOUT = 0xC00000B5;
    /** {@code STATUS_REQUEST_ABORTED} (ntstatus.h): how an operation aborted by closesocket may complete. */
    public static final int STATUS_REQUEST_ABORTED = 0xC0000240;

    /**
     * {@code SOMAXCONN_HINT(b)} (winsock2.h: {@code (-(b))}): a listen backlog of {@code b} that the
     * Microsoft TCP/IP provider adjusts into the range 200..65535; a plain backlog above 200 is capped
     * at 200 (listen page).
     *
     * @param backlog the wanted backlog, positive
     * @return the value to pass to listen
     */
    public static int somaxconnHint(int backlog) {
        if (backlog <= 0) {
            throw new IllegalArgumentException("backlog must be positive: " + backlog);
        }
        return -backlog;
    }
}
