package dev.fiberio.epoll;

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
import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_TRUNC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_DGRAM;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOCK_NONBLOCK;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SOL_SOCKET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_BROADCAST;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_RCVBUF;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_REUSEADDR;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_REUSEPORT;
import static dev.fiberio.nativeio.ffi.LinuxConstants.SO_SNDBUF;

import dev.fiberio.core.spi.CarrierLocal;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.nativeio.ffi.MulticastRequest;
import dev.fiberio.nativeio.ffi.SockAddr;
import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A UDP socket on epoll: {@code recvfrom(2)} with {@code MSG_TRUNC} (the return value is the
 * datagram's real length, so truncation is seen) and {@code sendto(2)}, straight on the caller's memory
 * (heap segments too: the calls are linked critical), waiting on the direction's slot only on
 * {@code EAGAIN}. Registered with the poller like the stream sockets.
 *
 * <p>Linux details handled here: a connected socket that received ICMP port unreachable fails its next
 * receive or send with {@code ECONNREFUSED} ({@link PortUnreachableException}, as java.net);
 * {@code connect} with {@code AF_UNSPEC} disconnects, and also drops a port the kernel chose
 * (bind to port 0), so the previous local address is bound again, as the JDK does; multicast options
 * on an IPv6 socket are set for both IPv6 and IPv4 (a dual-stack socket may use either).
 */
final class EpollDatagram extends EpollChannel implements DatagramHandle {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_BROADCAST,
            StandardSocketOptions.IP_TOS, StandardSocketOptions.IP_MULTICAST_IF, StandardSocketOptions.IP_MULTICAST_TTL,
            StandardSocketOptions.IP_MULTICAST_LOOP);
    /** Option values of the multicast structs, per carrier (used between suspensions only). */
    private static final CarrierLocal<MemorySegment> MREQ_SCRATCH = new CarrierLocal<>(
            () -> Arena.ofAuto().allocate(MulticastRequest.IPV6_MREQ_LAYOUT));

    private final Set<Membership> memberships = ConcurrentHashMap.newKeySet();
    private volatile InetSocketAddress remote;
    /** The interface last set with IP_MULTICAST_IF (the kernel reports only an address, if any). */
    private volatile NetworkInterface multicastInterface;

    private EpollDatagram(int fd, int family, EpollPoller poller) throws IOException {
        super(fd, family, poller);
    }

    /** Opens a non-blocking, close-on-exec UDP socket in the caller's epoll group. */
    static EpollDatagram open(int family) throws IOException {
        EpollPoller poller = EpollGroup.current().next();
        int fd = LibC.socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errno.toException("socket", -fd);
        }
        return new EpollDatagram(fd, family, poller);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        MemorySegment sa = ADDRESS_SCRATCH.get();
        int len = encode(local, sa);
        check("bind", withFd(() -> LibC.bind(fd.fd, sa, len)));
    }

    @Override
    public void connect(InetSocketAddress address) throws IOException {
        MemorySegment sa = ADDRESS_SCRATCH.get();
        int len = encode(address, sa);
        int r = withFd(() -> LibC.connect(fd.fd, sa, len));
        if (r < 0) {
            throw datagramError("connect", -r);
        }
        remote = address;
    }

    @Override
    public void disconnect() throws IOException {
        InetSocketAddress before = localAddress();
        MemorySegment sa = ADDRESS_SCRATCH.get();
        sa.asSlice(0, 16).fill((byte) 0);
        sa.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) AF_UNSPEC);
        check("connect(AF_UNSPEC)", withFd(() -> LibC.connect(fd.fd, sa, 16)));
        remote = null;
        InetSocketAddress after = localAddress();
        if (before != null && !before.equals(after)) {
            bind(before); // Linux released the kernel-chosen port (and address): keep the socket's address
        }
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        if (fd.isClosed()) {
            throw closedException();
        }
        return remote;
    }

    @Override
    public Received receive(MemorySegment dst, long deadline) throws IOException {
        long size = Math.min(dst.byteSize(), Integer.MAX_VALUE);
        for (;;) {
            MemorySegment sender = ADDRESS_SCRATCH.get(); // per carrier: fetched again after each wait
            begin();
            long n;
            try {
                n = LibC.recvfrom(fd.fd, dst, size, MSG_TRUNC, sender);
            } finally {
                end();
            }
            if (n >= 0) {
                int copied = (int) Math.min(n, size);
                return new Received(unmapped(SockAddr.decode(sender)), copied, n > size);
            }
            int e = (int) -n;
            if (e == Errno.EAGAIN) {
                awaitReady(readSlot, deadline, SocketErrors::receiveTimedOut);
            } else if (e != Errno.EINTR) {
                throw datagramError("recvfrom", e);
            }
        }
    }

    @Override
    public int send(MemorySegment src, InetSocketAddress target, long deadline) throws IOException {
        long size = src.byteSize();
        for (;;) {
            MemorySegment sa = target == null ? MemorySegment.NULL : ADDRESS_SCRATCH.get();
            int len = target == null ? 0 : encode(target, sa);
            begin();
            long n;
            try {
                n = LibC.sendto(fd.fd, src, size, 0, sa, len);
            } finally {
                end();
            }
            if (n >= 0) {
                return (int) n;
            }
            int e = (int) -n;
            if (e == Errno.EAGAIN) {
                awaitReady(writeSlot, deadline, SocketErrors::writeTimedOut);
            } else if (e != Errno.EINTR) {
                throw datagramError("sendto", e);
            }
        }
    }

    @Override
    public void joinGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        Membership m = new Membership(group, interfaze);
        if (memberships.contains(m)) {
            throw new SocketException("Already a member of " + group + " on " + interfaze.getName());
        }
        membership(group, interfaze, true);
        memberships.add(m);
    }

    @Override
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

    // ------------------------------------------------------------------------------------------
    // Options
    // ------------------------------------------------------------------------------------------

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    @Override
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

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        if (!OPTIONS.contains(option)) {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
        if (fd.isClosed()) {
            throw closedException();
        }
        if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            return (T) multicastInterface;
        }
        int[] ln = levelAndName(option);
        begin();
        long r;
        try {
            r = LibC.getsockoptInt(fd.fd, ln[0], ln[1]);
        } finally {
            end();
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

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    /** java.net's exceptions for the errors of datagram calls. */
    private static IOException datagramError(String operation, int errno) {
        IOException detail = Errno.toException(operation, errno);
        SocketException e;
        if (errno == Errno.ECONNREFUSED) {
            e = new PortUnreachableException();
        } else if (errno == Errno.EACCES) {
            e = new java.net.BindException(LibC.strerror(errno)); // the JDK's type, for a broadcast without SO_BROADCAST too
        } else if (errno == Errno.EMSGSIZE) {
            e = new SocketException(LibC.strerror(errno));
        } else {
            return detail;
        }
        e.initCause(detail);
        return e;
    }

    /** An IPv4-mapped sender (on an IPv6 socket) as the IPv4 address java.net reports. */
    private static InetSocketAddress unmapped(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        if (b.length != 16) {
            return a;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return a;
            }
        }
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return a;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}), a.getPort());
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4-byte address was rejected", e);
        }
    }

    @Override
    public String toString() {
        return "EpollDatagram[fd=" + fd.fd + (fd.isClosed() ? ", closed" : "") + ", remote=" + remote + "]";
    }

    private record Membership(InetAddress group, NetworkInterface interfaze) {
    }
}
