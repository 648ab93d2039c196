package dev.fiberio.nativeio.ffi;

/**
 * Linux constants for epoll, eventfd, sockets, fcntl and resource limits, as the kernel and glibc
 * define them on x86_64 and aarch64.
 *
 * <p>Values come from the Linux UAPI headers ({@code <sys/epoll.h>}, {@code <asm-generic/socket.h>},
 * {@code <bits/socket_type.h>}, {@code <netinet/in.h>}, {@code <netinet/tcp.h>},
 * {@code <sys/eventfd.h>}, {@code <asm-generic/fcntl.h>}, {@code <asm-generic/resource.h>}) and the
 * corresponding man pages (epoll_ctl(2), socket(2), socket(7), tcp(7), ipv6(7), eventfd(2),
 * fcntl(2), getrlimit(2)). Every field is compared with the C value by {@code
 * LinuxPlatformValuesTest}, which compiles a C program on the build machine; a field's name is
 * the C macro's name so the test can find it by reflection.
 */
public final class LinuxConstants {

    // --- epoll_ctl(2) / epoll_wait(2) event bits ---

    /** The fd is readable ({@code EPOLLIN}). */
    public static final int EPOLLIN = 0x001;
    /** Urgent (out-of-band) data is readable ({@code EPOLLPRI}). */
    public static final int EPOLLPRI = 0x002;
    /** The fd is writable ({@code EPOLLOUT}). */
    public static final int EPOLLOUT = 0x004;
    /** An error is pending on the fd; always reported ({@code EPOLLERR}). */
    public static final int EPOLLERR = 0x008;
    /** Hang-up: both directions are shut down; always reported ({@code EPOLLHUP}). */
    public static final int EPOLLHUP = 0x010;
    /** The peer shut down its writing half (read will see EOF) ({@code EPOLLRDHUP}). */
    public static final int EPOLLRDHUP = 0x2000;
    /** Wake only one of several epoll instances waiting on the same fd ({@code EPOLLEXCLUSIVE}). */
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    /** Hold a wakeup source while the event is pending ({@code EPOLLWAKEUP}). */
    public static final int EPOLLWAKEUP = 1 << 29;
    /** Disarm the fd after one event until re-armed with EPOLL_CTL_MOD ({@code EPOLLONESHOT}). */
    public static final int EPOLLONESHOT = 1 << 30;
    /** Edge-triggered notification ({@code EPOLLET}); the sign bit, so negative as a Java int. */
    public static final int EPOLLET = 1 << 31;

    // --- epoll_ctl(2) operations and epoll_create1(2) flags ---

    /** Register an fd ({@code EPOLL_CTL_ADD}). */
    public static final int EPOLL_CTL_ADD = 1;
    /** Deregister an fd ({@code EPOLL_CTL_DEL}). */
    public static final int EPOLL_CTL_DEL = 2;
    /** Change the events or data of a registered fd ({@code EPOLL_CTL_MOD}). */
    public static final int EPOLL_CTL_MOD = 3;
    /** Create the epoll fd close-on-exec ({@code EPOLL_CLOEXEC}, equal to O_CLOEXEC). */
    public static final int EPOLL_CLOEXEC = 0x80000;

    // --- socket(2) types, flags and families ---

    /** Stream (TCP) socket type ({@code SOCK_STREAM}). */
    public static final int SOCK_STREAM = 1;
    /** recv(2) flag: look at the data without taking it from the queue. */
    public static final int MSG_PEEK = 0x2;
    /** recv(2) flag: do not block, even on a blocking descriptor. */
    public static final int MSG_DONTWAIT = 0x40;
    /** send/recv flag: on a stream socket, the request completes only when all of it was transferred (or it failed). */
    public static final int MSG_WAITALL = 0x100;
    /** Datagram (UDP) socket type ({@code SOCK_DGRAM}). */
    public static final int SOCK_DGRAM = 2;
    /** Create the fd non-blocking, or'ed into the type ({@code SOCK_NONBLOCK}, equal to O_NONBLOCK). */
    public static final int SOCK_NONBLOCK = 0x800;
    /** Create the fd close-on-exec, or'ed into the type ({@code SOCK_CLOEXEC}, equal to O_CLOEXEC). */
    public static final int SOCK_CLOEXEC = 0x80000;
    /** Unspecified address family ({@code AF_UNSPEC}). */
    public static final int AF_UNSPEC = 0;
    /** Unix domain sockets ({@code AF_UNIX}). */
    public static final int AF_UNIX = 1;
    /** IPv4 ({@code AF_INET}). */
    public static final int AF_INET = 2;
    /** IPv6 ({@code AF_INET6}). */
    public static final int AF_INET6 = 10;

    // --- socket options: setsockopt(2), socket(7), tcp(7), ipv6(7) ---

    /** Level of the generic socket options ({@code SOL_SOCKET}). */
    public static final int SOL_SOCKET = 1;
    /** Allow bind to a port in TIME_WAIT ({@code SO_REUSEADDR}). */
    public static final int SO_REUSEADDR = 2;
    /** Read and clear the pending socket error, e.g. a non-blocking connect's result ({@code SO_ERROR}). */
    public static final int SO_ERROR = 4;
    /** Send buffer size ({@code SO_SNDBUF}). */
    public static final int SO_SNDBUF = 7;
    /** Receive buffer size ({@code SO_RCVBUF}). */
    public static final int SO_RCVBUF = 8;
    /** TCP keep-alive probes ({@code SO_KEEPALIVE}). */
    public static final int SO_KEEPALIVE = 9;
    /** Linger on close; value is a {@link Linger} struct ({@code SO_LINGER}). */
    public static final int SO_LINGER = 13;
    /** Several sockets may bind the same address and port ({@code SO_REUSEPORT}). */
    public static final int SO_REUSEPORT = 15;
    /** Protocol number and option level of TCP ({@code IPPROTO_TCP}). */
    public static final int IPPROTO_TCP = 6;
    /** Protocol level of IPv4 options ({@code IPPROTO_IP}). */
    public static final int IPPROTO_IP = 0;
    /** Broadcast permission of a datagram socket ({@code SO_BROADCAST}, level SOL_SOCKET). */
    public static final int SO_BROADCAST = 6;
    /** Type of service / DSCP of IPv4 packets ({@code IP_TOS}). */
    public static final int IP_TOS = 1;
    /** Outgoing interface of IPv4 multicast, a {@code struct ip_mreqn} ({@code IP_MULTICAST_IF}). */
    public static final int IP_MULTICAST_IF = 32;
    /** Time to live of IPv4 multicast ({@code IP_MULTICAST_TTL}). */
    public static final int IP_MULTICAST_TTL = 33;
    /** Loopback of IPv4 multicast to local members ({@code IP_MULTICAST_LOOP}). */
    public static final int IP_MULTICAST_LOOP = 34;
    /** Join an IPv4 group, a {@code struct ip_mreqn} ({@code IP_ADD_MEMBERSHIP}). */
    public static final int IP_ADD_MEMBERSHIP = 35;
    /** Leave an IPv4 group ({@code IP_DROP_MEMBERSHIP}). */
    public static final int IP_DROP_MEMBERSHIP = 36;
    /** Outgoing interface index of IPv6 multicast ({@code IPV6_MULTICAST_IF}). */
    public static final int IPV6_MULTICAST_IF = 17;
    /** Hop limit of IPv6 multicast ({@code IPV6_MULTICAST_HOPS}). */
    public static final int IPV6_MULTICAST_HOPS = 18;
    /** Loopback of IPv6 multicast ({@code IPV6_MULTICAST_LOOP}). */
    public static final int IPV6_MULTICAST_LOOP = 19;
    /** Join an IPv6 group, a {@code struct ipv6_mreq} ({@code IPV6_ADD_MEMBERSHIP}). */
    public static final int IPV6_ADD_MEMBERSHIP = 20;
    /** Leave an IPv6 group ({@code IPV6_DROP_MEMBERSHIP}). */
    public static final int IPV6_DROP_MEMBERSHIP = 21;
    /** Traffic class of IPv6 packets ({@code IPV6_TCLASS}). */
    public static final int IPV6_TCLASS = 67;
    /** recvfrom flag: return the datagram's real length even if it was truncated ({@code MSG_TRUNC}). */
    public static final int MSG_TRUNC = 0x20;
    /** Protocol number and option level of IPv6 ({@code IPPROTO_IPV6}). */
    public static final int IPPROTO_IPV6 = 41;
    /** Disable Nagle's algorithm ({@code TCP_NODELAY}, level IPPROTO_TCP). */
    public static final int TCP_NODELAY = 1;
    /** Restrict an AF_INET6 socket to IPv6 only ({@code IPV6_V6ONLY}, level IPPROTO_IPV6). */
    public static final int IPV6_V6ONLY = 26;

    // --- shutdown(2) ---

    /** Shut down the reading half ({@code SHUT_RD}). */
    public static final int SHUT_RD = 0;
    /** Shut down the writing half; the peer reads EOF ({@code SHUT_WR}). */
    public static final int SHUT_WR = 1;
    /** Shut down both halves ({@code SHUT_RDWR}). */
    public static final int SHUT_RDWR = 2;

    // --- eventfd(2) ---

    /** Create the eventfd non-blocking ({@code EFD_NONBLOCK}). */
    public static final int EFD_NONBLOCK = 0x800;
    /** Create the eventfd close-on-exec ({@code EFD_CLOEXEC}). */
    public static final int EFD_CLOEXEC = 0x80000;

    // --- fcntl(2) ---

    /** Command: read the fd flags ({@code F_GETFD}). */
    public static final int F_GETFD = 1;
    /** Command: read the file status flags ({@code F_GETFL}). */
    public static final int F_GETFL = 3;
    /** fd flag: close-on-exec ({@code FD_CLOEXEC}), as returned by F_GETFD. */
    public static final int FD_CLOEXEC = 1;
    /** File status flag: non-blocking ({@code O_NONBLOCK}), as returned by F_GETFL. */
    public static final int O_NONBLOCK = 0x800;

    // --- getrlimit(2) ---

    /** Resource: the maximum fd number plus one ({@code RLIMIT_NOFILE}). */
    public static final int RLIMIT_NOFILE = 7;
    /** "No limit" value of an {@code rlim_t} ({@code RLIM_INFINITY}, all bits set: -1 as a Java long). */
    public static final long RLIM_INFINITY = -1L;

    private LinuxConstants() {
    }
}
