package dev.fiberio.nativeio.ffi;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET6;
import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNSPEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPPROTO_IP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPPROTO_IPV6;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_ADD_MEMBERSHIP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_DROP_MEMBERSHIP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_MULTICAST_IF;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_ADD_MEMBERSHIP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_DROP_MEMBERSHIP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_MULTICAST_IF;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_DGRAM;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;

import dev.fiberio.core.spi.CarrierLocal;
import dev.fiberio.nativeio.Memberships;
import dev.fiberio.nativeio.NativeFd;
import dev.fiberio.nativeio.OptionValues;
import dev.fiberio.net.spi.DatagramHandle.Received;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the Linux backends' UDP sockets (epoll, io_uring) share besides waiting for datagrams: bind,
 * connect and disconnect (and the connected peer), options, multicast memberships, what a receive returns
 * (sender, truncation) and java.net's exceptions for the errors of datagram calls. Every call here is a
 * short system call on the socket's {@link NativeFd} (it never waits), so it is the same whatever waits
 * for the data; the backends keep only how they wait (epoll retries on readiness, io_uring waits for a
 * completion in memory of its own).
 *
 * <p>Linux details handled here: {@code connect} with {@code AF_UNSPEC} disconnects, and also drops a
 * port the kernel chose (bind to port 0), so the previous local address is bound again, as the JDK
 * does; multicast options on an IPv6 socket are set for both IPv6 and IPv4 (a dual-stack socket may
 * use either); the kernel reports {@code IP_MULTICAST_IF} only as an address, so the interface last set
 * is remembered.
 */
public final class DatagramSupport {
    /** The options of a UDP socket. */
    public static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_BROADCAST,
            StandardSocketOptions.IP_TOS, StandardSocketOptions.IP_MULTICAST_IF, StandardSocketOptions.IP_MULTICAST_TTL,
            StandardSocketOptions.IP_MULTICAST_LOOP);
    /** Option values of the multicast structs, per carrier (used between suspensions only). */
    private static final CarrierLocal<MemorySegment> MREQ_SCRATCH = new CarrierLocal<>(
            () -> Arena.ofAuto().allocate(MulticastRequest.IPV6_MREQ_LAYOUT));
    /** A {@code sockaddr_storage} per carrier, for getsockname and disconnect (no suspension). */
    private static final CarrierLocal<MemorySegment> ADDRESS_SCRATCH = new CarrierLocal<>(() -> SockAddr.allocate(Arena.ofAuto()));

    private final NativeFd fd;
    private final int family;
    private final Supplier<? extends SocketException> closed;
    private final Memberships memberships = new Memberships();
    /** The interface last set with IP_MULTICAST_IF (the kernel reports only an address, if any). */
    private volatile NetworkInterface multicastInterface;
    /** The peer given to {@link #connect}, or null. */
    private volatile InetSocketAddress remote;

    /**
     * @param fd     the socket's descriptor
     * @param family its family ({@code AF_INET} or {@code AF_INET6})
     * @param closed the exception for a call on the closed socket
     */
    public DatagramSupport(NativeFd fd, int family, Supplier<? extends SocketException> closed) {
        this.fd = Objects.requireNonNull(fd, "fd");
        this.family = family;
        this.closed = Objects.requireNonNull(closed, "closed");
    }

    /**
     * Opens a non-blocking, close-on-exec UDP socket.
     *
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @return its descriptor, owned by the caller
     * @throws IOException if the system refuses
     */
    public static int openSocket(int family) throws IOException {
        int fd = LibC.socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errno.toException("socket", -fd);
        }
        return fd;
    }

    /**
     * Binds to a local address.
     *
     * @param local a resolved address of the socket's family (IPv4 is mapped on an IPv6 socket)
     * @throws IOException if closed, or the system refuses
     */
    public void bind(InetSocketAddress local) throws IOException {
        MemorySegment sa = ADDRESS_SCRATCH.get();
        int len = SockAddr.encodeFor(family, local, sa);
        check("bind", withFd(() -> LibC.bind(fd.fd, sa, len)));
    }

    /**
     * A plain {@code connect(2)}: for UDP it only sets the peer, so it never waits.
     *
     * @param address the peer
     * @throws IOException if closed, or the system refuses
     */
    public void connect(InetSocketAddress address) throws IOException {
        MemorySegment sa = ADDRESS_SCRATCH.get();
        int len = SockAddr.encodeFor(family, address, sa);
        int r = withFd(() -> LibC.connect(fd.fd, sa, len));
        if (r < 0) {
            throw error("connect", -r);
        }
        remote = address;
    }

    /**
     * The connected peer.
     *
     * @return the address given to {@link #connect}, or null
     * @throws SocketException if closed
     */
    public InetSocketAddress remoteAddress() throws SocketException {
        if (fd.isClosed()) {
            throw closed.get();
        }
        return remote;
    }

    /**
     * The connected peer, whether closed or not (for descriptions).
     *
     * @return it, or null
     */
    public InetSocketAddress remote() {
        return remote;
    }

    /**
     * The bound address.
     *
     * @return it, or null if the socket is not bound (the wildcard with port 0)
     * @throws IOException if closed
     */
    private InetSocketAddress localAddress() throws IOException {
        MemorySegment storage = ADDRESS_SCRATCH.get();
        check("getsockname", withFd(() -> LibC.getsockname(fd.fd, storage)));
        InetSocketAddress a = SockAddr.decode(storage);
        return a.getPort() == 0 && a.getAddress().isAnyLocalAddress() ? null : a;
    }

    /**
     * Dissolves a connection ({@code connect(AF_UNSPEC)}) and binds the previous local address again if
     * Linux released it (a port the kernel chose).
     *
     * @throws IOException if closed, or the system refuses
     */
    public void disconnect() throws IOException {
        InetSocketAddress before = localAddress();
        MemorySegment sa = ADDRESS_SCRATCH.get();
        sa.asSlice(0, 16).fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNSPEC);
        check("connect(AF_UNSPEC)", withFd(() -> LibC.connect(fd.fd, sa, 16)));
        InetSocketAddress after = localAddress();
        if (before != null && !before.equals(after)) {
            bind(before); // Linux released the kernel-chosen port (and address): keep the socket's address
        }
        remote = null;
    }

    /**
     * What a receive returns: the sender, the bytes that fitted, whether the datagram was cut.
     *
     * @param name     the sender's {@code sockaddr} as the kernel wrote it, or null if it wrote none
     *                 (then the sender is the connected peer)
     * @param length   the datagram's length as the kernel reported it (with {@code MSG_TRUNC}, its whole
     *                 length; without, the bytes received)
     * @param capacity the caller's room
     * @param cut      whether the kernel said it cut the datagram ({@code MSG_TRUNC} in {@code msg_flags})
     * @return the datagram; its {@code length} is what to copy out, at most {@code capacity}
     */
    public Received received(MemorySegment name, long length, long capacity, boolean cut) {
        int copied = (int) Math.min(length, capacity);
        InetSocketAddress sender = name == null ? remote : SockAddr.unmapped(SockAddr.decode(name));
        return new Received(sender, copied, cut || length > copied);
    }

    /**
     * Joins a multicast group on an interface.
     *
     * @param group     the group
     * @param interfaze the interface
     * @throws IOException if already a member, or the system refuses
     */
    public void joinGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        memberships.join(group, interfaze, () -> membership(group, interfaze, true));
    }

    /**
     * Leaves a group joined with {@link #joinGroup}.
     *
     * @param group     the group
     * @param interfaze the interface
     * @throws IOException if not a member, or the system refuses
     */
    public void leaveGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        if (!memberships.remove(group, interfaze)) {
            throw new SocketException("not a member");
        }
        membership(group, interfaze, false);
    }

    private void membership(InetAddress group, NetworkInterface interfaze, boolean join) throws IOException {
        MemorySegment scratch = MREQ_SCRATCH.get();
        if (group instanceof Inet4Address v4) {
            MemorySegment m = MulticastRequest.ipMreqn(scratch, v4, interfaze.getIndex());
            int name = join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP;
            check(join ? "setsockopt(IP_ADD_MEMBERSHIP)" : "setsockopt(IP_DROP_MEMBERSHIP)",
                    withFd(() -> LibC.setsockopt(fd.fd, IPPROTO_IP, name, m)));
        } else {
            if (family != AF_INET6) {
                throw new SocketException("an IPv4 socket cannot join the IPv6 group " + group);
            }
            MemorySegment m = MulticastRequest.ipv6Mreq(scratch, (Inet6Address) group, interfaze.getIndex());
            int name = join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP;
            check(join ? "setsockopt(IPV6_ADD_MEMBERSHIP)" : "setsockopt(IPV6_DROP_MEMBERSHIP)",
                    withFd(() -> LibC.setsockopt(fd.fd, IPPROTO_IPV6, name, m)));
        }
    }

    /**
     * Sets an option of {@link #OPTIONS}.
     *
     * @param option the option
     * @param value  its value
     * @param <T>    its type
     * @throws IOException if closed, or the system refuses
     */
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        OptionValues.requireSettable(OPTIONS, option, value);
        if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface ni = (NetworkInterface) value;
            MemorySegment m = MulticastRequest.ipMreqn(MREQ_SCRATCH.get(), null, ni.getIndex());
            if (family == AF_INET6) {
                int index = ni.getIndex();
                check("setsockopt(IPV6_MULTICAST_IF)", withFd(() -> LibC.setsockoptInt(fd.fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, index)));
                withFd(() -> LibC.setsockopt(fd.fd, IPPROTO_IP, IP_MULTICAST_IF, m)); // for IPv4 groups; best effort
            } else {
                check("setsockopt(IP_MULTICAST_IF)", withFd(() -> LibC.setsockopt(fd.fd, IPPROTO_IP, IP_MULTICAST_IF, m)));
            }
            multicastInterface = ni;
            return;
        }
        int v = OptionValues.toInt(option, value);
        SocketOptions.setInt(fd, closed, option, family, v);
        if (family == AF_INET6 && SocketOptions.levelAndName(option, family)[0] == IPPROTO_IPV6) {
            int[] v4 = SocketOptions.levelAndName(option, AF_INET);
            withFd(() -> LibC.setsockoptInt(fd.fd, v4[0], v4[1], v)); // for IPv4 peers; best effort
        }
    }

    /**
     * Reads an option of {@link #OPTIONS}.
     *
     * @param option the option
     * @param <T>    its type
     * @return its value ({@code IP_MULTICAST_IF}: the interface last set, or null)
     * @throws IOException if closed, or the system refuses
     */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        OptionValues.requireSupported(OPTIONS, option);
        if (fd.isClosed()) {
            throw closed.get();
        }
        if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            return option.type().cast(multicastInterface);
        }
        return SocketOptions.getInt(fd, closed, option, family);
    }

    /**
     * java.net's exception for an error of a datagram call: {@link PortUnreachableException} for
     * {@code ECONNREFUSED} (a connected socket's peer answered with ICMP port unreachable),
     * {@link java.net.BindException} for {@code EACCES} (the JDK's type, for a broadcast without
     * {@code SO_BROADCAST} too), {@code SocketException("Message too long")} for {@code EMSGSIZE};
     * otherwise {@link Errno#toException}. The errno stays in the cause.
     *
     * @param operation the call, for the message
     * @param errno     its error
     * @return the exception
     */
    public static IOException error(String operation, int errno) {
        IOException detail = Errno.toException(operation, errno);
        SocketException e;
        if (errno == Errno.ECONNREFUSED) {
            e = new PortUnreachableException();
        } else if (errno == Errno.EACCES) {
            e = new java.net.BindException(LibC.strerror(errno));
        } else if (errno == Errno.EMSGSIZE) {
            e = new SocketException(LibC.strerror(errno));
        } else {
            return detail;
        }
        e.initCause(detail);
        return e;
    }

    private int withFd(IntSupplier call) throws SocketException {
        return SocketOptions.call(fd, closed, call);
    }

    private static void check(String operation, int result) throws IOException {
        SocketOptions.check(operation, result);
    }
}
