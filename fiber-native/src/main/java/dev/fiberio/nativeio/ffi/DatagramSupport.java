package dev.fiberio.nativeio.ffi;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET6;
import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_UNSPEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPPROTO_IP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPPROTO_IPV6;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_ADD_MEMBERSHIP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_DROP_MEMBERSHIP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_MULTICAST_HOPS;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_MULTICAST_IF;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_MULTICAST_LOOP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IPV6_TCLASS;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_ADD_MEMBERSHIP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_DROP_MEMBERSHIP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_MULTICAST_IF;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_MULTICAST_LOOP;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_MULTICAST_TTL;
import static dev.fiberio.nativeio.ffi.LinuxConstants.IP_TOS;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOL_SOCKET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_BROADCAST;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_RCVBUF;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_REUSEADDR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_REUSEPORT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_SNDBUF;

import dev.fiberio.core.spi.CarrierLocal;
import dev.fiberio.nativeio.NativeFd;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the Linux backends' UDP sockets (epoll, io_uring) share besides moving datagrams: options,
 * multicast memberships, disconnect, and java.net's exceptions for the errors of datagram calls. Every
 * call here is a short system call on the socket's {@link NativeFd} (it never waits), so it is the same
 * whatever waits for the data.
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
    private final Set<Membership> memberships = ConcurrentHashMap.newKeySet();
    /** The interface last set with IP_MULTICAST_IF (the kernel reports only an address, if any). */
    private volatile NetworkInterface multicastInterface;

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

    /** Binds the socket to an address (the backend's bind, which encodes for the socket's family). */
    @FunctionalInterface
    public interface Binder {
        /**
         * @param local the address to bind
         * @throws IOException if the system refuses
         */
        void bind(InetSocketAddress local) throws IOException;
    }

    /**
     * The bound address.
     *
     * @return it, or null if the socket is not bound (the wildcard with port 0)
     * @throws IOException if closed
     */
    public InetSocketAddress localAddress() throws IOException {
        MemorySegment storage = ADDRESS_SCRATCH.get();
        check("getsockname", withFd(() -> LibC.getsockname(fd.fd, storage)));
        InetSocketAddress a = SockAddr.decode(storage);
        return a.getPort() == 0 && a.getAddress().isAnyLocalAddress() ? null : a;
    }

    /**
     * Dissolves a connection ({@code connect(AF_UNSPEC)}) and binds the previous local address again if
     * Linux released it (a port the kernel chose).
     *
     * @param rebind the backend's bind
     * @throws IOException if closed, or the system refuses
     */
    public void disconnect(Binder rebind) throws IOException {
        InetSocketAddress before = localAddress();
        MemorySegment sa = ADDRESS_SCRATCH.get();
        sa.asSlice(0, 16).fill((byte) 0);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNSPEC);
        check("connect(AF_UNSPEC)", withFd(() -> LibC.connect(fd.fd, sa, 16)));
        InetSocketAddress after = localAddress();
        if (before != null && !before.equals(after)) {
            rebind.bind(before); // Linux released the kernel-chosen port (and address): keep the socket's address
        }
    }

    /**
     * Joins a multicast group on an interface.
     *
     * @param group     the group
     * @param interfaze the interface
     * @throws IOException if already a member, or the system refuses
     */
    public void joinGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        Membership m = new Membership(group, interfaze);
        if (memberships.contains(m)) {
            throw new SocketException("Already a member of " + group + " on " + interfaze.getName());
        }
        membership(group, interfaze, true);
        memberships.add(m);
    }

    /**
     * Leaves a group joined with {@link #joinGroup}.
     *
     * @param group     the group
     * @param interfaze the interface
     * @throws IOException if not a member, or the system refuses
     */
    public void leaveGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        if (!memberships.remove(new Membership(group, interfaze))) {
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
        Objects.requireNonNull(option, "option");
        if (!OPTIONS.contains(option)) {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
        Objects.requireNonNull(value, () -> "value of " + option);
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
        int v = value instanceof Boolean b ? (b ? 1 : 0) : (Integer) value;
        if (option == StandardSocketOptions.IP_MULTICAST_TTL && (v < 0 || v > 255)) {
            throw new IllegalArgumentException("Invalid TTL/hop value: " + v);
        }
        if (option == StandardSocketOptions.IP_TOS && (v < 0 || v > 255)) {
            throw new IllegalArgumentException("Invalid IP_TOS value: " + v);
        }
        if (v < 0) {
            throw new IllegalArgumentException("negative value for " + option + ": " + v);
        }
        int[] ln = levelAndName(option);
        check("setsockopt(" + option + ")", withFd(() -> LibC.setsockoptInt(fd.fd, ln[0], ln[1], v)));
        if (family == AF_INET6 && ln[0] == IPPROTO_IPV6) {
            int[] v4 = ipv4LevelAndName(option);
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
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        if (!OPTIONS.contains(option)) {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
        if (fd.isClosed()) {
            throw closed.get();
        }
        if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            return (T) multicastInterface;
        }
        int[] ln = levelAndName(option);
        if (!fd.acquire()) {
            throw closed.get();
        }
        long r;
        try {
            r = LibC.getsockoptInt(fd.fd, ln[0], ln[1]);
        } finally {
            fd.release();
        }
        if (r < 0) {
            throw Errno.toException("getsockopt(" + option + ")", (int) -r);
        }
        if (option.type() == Boolean.class) {
            return (T) Boolean.valueOf(r != 0);
        }
        return (T) Integer.valueOf((int) r);
    }

    private int[] levelAndName(SocketOption<?> option) {
        boolean v6 = family == AF_INET6;
        if (option == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {SOL_SOCKET, SO_RCVBUF};
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {SOL_SOCKET, SO_SNDBUF};
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {SOL_SOCKET, SO_REUSEADDR};
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            return new int[] {SOL_SOCKET, SO_REUSEPORT};
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            return new int[] {SOL_SOCKET, SO_BROADCAST};
        } else if (option == StandardSocketOptions.IP_TOS) {
            return v6 ? new int[] {IPPROTO_IPV6, IPV6_TCLASS} : new int[] {IPPROTO_IP, IP_TOS};
        } else if (option == StandardSocketOptions.IP_MULTICAST_TTL) {
            return v6 ? new int[] {IPPROTO_IPV6, IPV6_MULTICAST_HOPS} : new int[] {IPPROTO_IP, IP_MULTICAST_TTL};
        } else if (option == StandardSocketOptions.IP_MULTICAST_LOOP) {
            return v6 ? new int[] {IPPROTO_IPV6, IPV6_MULTICAST_LOOP} : new int[] {IPPROTO_IP, IP_MULTICAST_LOOP};
        }
        throw new UnsupportedOperationException("'" + option + "' not supported");
    }

    private static int[] ipv4LevelAndName(SocketOption<?> option) {
        if (option == StandardSocketOptions.IP_TOS) {
            return new int[] {IPPROTO_IP, IP_TOS};
        } else if (option == StandardSocketOptions.IP_MULTICAST_TTL) {
            return new int[] {IPPROTO_IP, IP_MULTICAST_TTL};
        }
        return new int[] {IPPROTO_IP, IP_MULTICAST_LOOP};
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
        if (!fd.acquire()) {
            throw closed.get();
        }
        try {
            return call.getAsInt();
        } finally {
            fd.release();
        }
    }

    private static void check(String operation, int result) throws IOException {
        if (result < 0) {
            throw Errno.toException(operation, -result);
        }
    }

    private record Membership(InetAddress group, NetworkInterface interfaze) {
    }
}
