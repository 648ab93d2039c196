package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static dev.fiberio.iocp.win32.Win32Constants.AF_INET6;
import static dev.fiberio.iocp.win32.Win32Constants.IPPROTO_IP;
import static dev.fiberio.iocp.win32.Win32Constants.IPPROTO_IPV6;
import static dev.fiberio.iocp.win32.Win32Constants.IPV6_ADD_MEMBERSHIP;
import static dev.fiberio.iocp.win32.Win32Constants.IPV6_DROP_MEMBERSHIP;
import static dev.fiberio.iocp.win32.Win32Constants.IPV6_MULTICAST_HOPS;
import static dev.fiberio.iocp.win32.Win32Constants.IPV6_MULTICAST_IF;
import static dev.fiberio.iocp.win32.Win32Constants.IPV6_MULTICAST_LOOP;
import static dev.fiberio.iocp.win32.Win32Constants.IPV6_TCLASS;
import static dev.fiberio.iocp.win32.Win32Constants.IP_ADD_MEMBERSHIP;
import static dev.fiberio.iocp.win32.Win32Constants.IP_DROP_MEMBERSHIP;
import static dev.fiberio.iocp.win32.Win32Constants.IP_MULTICAST_IF;
import static dev.fiberio.iocp.win32.Win32Constants.IP_MULTICAST_LOOP;
import static dev.fiberio.iocp.win32.Win32Constants.IP_MULTICAST_TTL;
import static dev.fiberio.iocp.win32.Win32Constants.IP_TOS;
import static dev.fiberio.iocp.win32.Win32Constants.SIO_UDP_CONNRESET;
import static dev.fiberio.iocp.win32.Win32Constants.SOL_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.SO_BROADCAST;
import static dev.fiberio.iocp.win32.Win32Constants.SO_EXCLUSIVEADDRUSE;
import static dev.fiberio.iocp.win32.Win32Constants.SO_RCVBUF;
import static dev.fiberio.iocp.win32.Win32Constants.SO_REUSEADDR;
import static dev.fiberio.iocp.win32.Win32Constants.SO_SNDBUF;
import static dev.fiberio.iocp.win32.Win32Constants.WSAEACCES;
import static dev.fiberio.iocp.win32.Win32Constants.WSAECONNRESET;
import static dev.fiberio.iocp.win32.Win32Constants.WSAEMSGSIZE;
import static dev.fiberio.iocp.win32.Win32Constants.WSAENETRESET;
import static dev.fiberio.iocp.win32.Win32Constants.WSA_OPERATION_ABORTED;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.fiberio.iocp.win32.MulticastRequest;
import dev.fiberio.iocp.win32.SockAddrs;
import dev.fiberio.iocp.win32.Win32Error;
import dev.fiberio.nativeio.Memberships;
import dev.fiberio.nativeio.OptionValues;
import dev.fiberio.nativeio.completion.OperationRecord;
import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
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
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP socket on the completion port: WSARecvFrom and WSASendTo on the socket's own receive and send
 * records, never on the caller's memory (a cancelled receive's buffer and sender address are written
 * by the kernel until its completion is dequeued, so they live in the record, which the completion
 * core releases only then).
 *
 * <h2>Record layout (each record's data buffer)</h2>
 * <pre>
 * offset  size    member
 * 0       128     SOCKADDR_STORAGE: the sender (receive) or the destination (send)
 * 128     4       INT fromlen of WSARecvFrom (in/out)
 * 136     65536   the payload: any UDP datagram fits (at most 65,527 bytes over IPv6)
 * </pre>
 *
 * <h2>Windows semantics handled here</h2>
 * <ul>
 *   <li><b>Truncation</b>: a datagram longer than the buffer completes (or returns synchronously)
 *       with WSAEMSGSIZE, the buffer filled and the rest discarded; that is a received datagram,
 *       reported truncated. Receives ask for no more than the caller's size, so the kernel truncates
 *       exactly where {@code java.net.DatagramSocket} does. A synchronous WSAEMSGSIZE is an error
 *       return, after which "no completion indication will occur" (WSARecvFrom page).</li>
 *   <li><b>ICMP port unreachable</b>: Windows fails the next receive with WSAECONNRESET, connected
 *       or not. As the JDK does on Windows, SIO_UDP_CONNRESET is off while the socket is unconnected
 *       and on while it is connected: a connected socket's receive then throws
 *       {@link PortUnreachableException}; an unconnected one (an error left from before a disconnect)
 *       receives on. WSAENETRESET (TTL expired) is skipped the same way when unconnected.</li>
 *   <li><b>Dual stack</b>: IPV6_V6ONLY is cleared on IPv6 sockets; IPv4-mapped senders are reported
 *       as IPv4 ({@link SockAddrs#decode}).</li>
 *   <li><b>Addresses</b>: SO_EXCLUSIVEADDRUSE is set at bind unless SO_REUSEADDR was asked for before
 *       it, in which case the real SO_REUSEADDR is set (several sockets may then share the port, what
 *       multicast receivers need); after bind, SO_REUSEADDR is only recorded. connect never waits;
 *       disconnect is a connect to a zeroed address (AF_UNSPEC), and Windows keeps the local port.</li>
 *   <li><b>Completion packets</b>: skip-on-success is set as for streams (IFS providers only); the
 *       Windows 7 defect that made it unusable with UDP sockets does not exist on the Windows
 *       versions JDK 25 supports.</li>
 * </ul>
 *
 * <p>Threads: one receiver and one sender at a time ({@code FiberDatagramSocket} serialises them);
 * {@code requested} is the receiver's, plain (receivers are ordered by the record's USER CAS).
 * {@code remote}, {@code bound}, {@code reuseAddress} and {@code multicastInterface} are volatile.
 */
final class IocpDatagram extends IocpChannel implements DatagramHandle {
    private static final Logger LOG = LoggerFactory.getLogger(IocpDatagram.class);

    /** Offset of the SOCKADDR_STORAGE in a record's data buffer. */
    static final long ADDRESS = 0;
    /** Offset of the fromlen INT. */
    static final long ADDRESS_LENGTH = SockAddrs.SOCKADDR_STORAGE.byteSize();
    /** Offset of the payload (8-aligned). */
    static final long PAYLOAD = ADDRESS_LENGTH + 8;
    /** Payload capacity: larger than any UDP datagram. */
    static final int PAYLOAD_CAPACITY = 1 << 16;
    /** The largest UDP payload of all (IPv6: 65,535 minus the 8-byte UDP header); IPv4's is smaller, which Windows reports. */
    static final int MAX_DATAGRAM = 65_527;

    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_BROADCAST,
            StandardSocketOptions.IP_TOS, StandardSocketOptions.IP_MULTICAST_IF, StandardSocketOptions.IP_MULTICAST_TTL,
            StandardSocketOptions.IP_MULTICAST_LOOP);

    private final OverlappedRecord receiveRecord;
    private final OverlappedRecord sendRecord;
    private final OverlappedRecord[] records;
    private final Memberships memberships = new Memberships();
    private volatile InetSocketAddress remote;
    private volatile boolean bound;
    private volatile boolean reuseAddress;
    private volatile NetworkInterface multicastInterface;
    /** The payload length the receive started last asked for; its completion may be collected later. */
    private int requested;

    private IocpDatagram(IocpGroup group, long handle, int family) {
        super(group, handle, family);
        int size = (int) PAYLOAD + PAYLOAD_CAPACITY;
        receiveRecord = newSmallRecord(readSlot, size);
        sendRecord = newSmallRecord(writeSlot, size);
        records = new OverlappedRecord[] {receiveRecord, sendRecord};
    }

    /**
     * Opens an unbound UDP socket on {@code group}'s port.
     *
     * @param group  the group
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @return the socket, owned by the caller
     */
    static IocpDatagram open(IocpGroup group, int family) throws IOException {
        long handle = group.newDatagramSocket(family);
        IocpDatagram d = new IocpDatagram(group, handle, family);
        d.register(false, true);
        try {
            d.reportPortUnreachable(false);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    @Override
    OverlappedRecord[] records() {
        return records;
    }

    /** The receive record (tests observe its ownership state). */
    OverlappedRecord receiveRecord() {
        return receiveRecord;
    }

    // ---------------------------------------------------------------- addresses

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        Objects.requireNonNull(local, "local");
        ensureOpen();
        CarrierScratch s = CarrierScratch.get();
        s.value.set(JAVA_INT, 0, 1);
        // Exclusive unless the caller asked to share the port before binding (the JDK on Windows does the same).
        int name = reuseAddress ? SO_REUSEADDR : SO_EXCLUSIVEADDRUSE;
        check(reuseAddress ? "setsockopt(SO_REUSEADDR)" : "setsockopt(SO_EXCLUSIVEADDRUSE)", call(h ->
                win32.setsockopt(h, SOL_SOCKET, name, s.value, SocketOptions.VALUE_LENGTH) == 0 ? 0 : win32.lastError()));
        bindTo(local);
        bound = true;
    }

    @Override
    public void connect(InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        ensureOpen();
        if (!bound) {
            bind(wildcard());
        }
        CarrierScratch s = CarrierScratch.get();
        int length = encode(address, s.address);
        int code = call(h -> win32.connect(h, s.address, length) == 0 ? 0 : win32.lastError());
        if (code != 0) {
            throw datagramError("connect", code);
        }
        reportPortUnreachable(true);
        remote = address;
    }

    @Override
    public void disconnect() throws IOException {
        ensureOpen();
        CarrierScratch s = CarrierScratch.get();
        int length = SockAddrs.length(family);
        s.address.asSlice(0, length).fill((byte) 0); // a zeroed address, family AF_UNSPEC (connect page)
        check("connect(AF_UNSPEC)", call(h -> win32.connect(h, s.address, length) == 0 ? 0 : win32.lastError()));
        remote = null;
        reportPortUnreachable(false);
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    /** SIO_UDP_CONNRESET: whether a receive reports an ICMP port unreachable (WSAECONNRESET). */
    private void reportPortUnreachable(boolean report) throws IOException {
        CarrierScratch s = CarrierScratch.get();
        s.value.set(JAVA_INT, 0, report ? 1 : 0);
        int code = call(h -> win32.wsaIoctl(h, SIO_UDP_CONNRESET, s.value, 4, MemorySegment.NULL, 0, s.ints,
                MemorySegment.NULL) == 0 ? 0 : win32.lastError());
        if (code != 0) {
            // Receives cope either way: an unconnected socket skips WSAECONNRESET.
            LOG.debug("WSAIoctl(SIO_UDP_CONNRESET, {}) failed: {}", report, Win32Error.name(code));
        }
    }

    private InetSocketAddress wildcard() throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[family == AF_INET ? 4 : 16]), 0);
    }

    // ---------------------------------------------------------------- receive and send

    @Override
    public Received receive(MemorySegment dst, long deadline) throws IOException {
        OverlappedRecord rec = receiveRecord;
        if (!rec.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            for (;;) {
                ensureOpen();
                OperationRecord.Completion c = collectLeftover(rec, deadline, SocketErrors::receiveTimedOut);
                if (c == null) {
                    requested = (int) Math.min(dst.byteSize(), PAYLOAD_CAPACITY);
                    rec.data().set(JAVA_INT, ADDRESS_LENGTH, (int) SockAddrs.SOCKADDR_STORAGE.byteSize());
                    c = run(rec, PAYLOAD, requested, (h, r) -> win32.wsaRecvFrom(h, r.wsaBuf(), 1, r.syncBytes(), r.flags(),
                            address(r), r.data().asSlice(ADDRESS_LENGTH, 4), r.overlapped()) == 0 ? 0 : win32.lastError(),
                            deadline, SocketErrors::receiveTimedOut);
                }
                int length;
                boolean truncated;
                if (c.succeeded()) {
                    length = c.value();
                    truncated = false;
                } else if (c.error() == WSAEMSGSIZE) {
                    length = requested; // the buffer was filled; the rest of the datagram is gone
                    truncated = true;
                } else {
                    throwIfClosed(c);
                    int e = c.error();
                    if (e == WSA_OPERATION_ABORTED) {
                        continue; // the abort of a receive an earlier, cancelled caller left: receive anew
                    }
                    if ((e == WSAECONNRESET || e == WSAENETRESET) && remote == null) {
                        continue; // an ICMP error meant for an earlier connection (or none): not this socket's business now
                    }
                    throw datagramError("WSARecvFrom", e);
                }
                int copied = (int) Math.min(length, dst.byteSize());
                MemorySegment.copy(rec.data(), PAYLOAD, dst, 0, copied);
                InetSocketAddress sender = SockAddrs.decode(address(rec));
                return new Received(sender, copied, truncated || length > copied);
            }
        } finally {
            rec.release();
        }
    }

    @Override
    public int send(MemorySegment src, InetSocketAddress target, long deadline) throws IOException {
        if (src.byteSize() > MAX_DATAGRAM) {
            SocketException e = new SocketException("Message too long");
            e.initCause(new IOException("a UDP datagram carries at most " + MAX_DATAGRAM + " bytes; got " + src.byteSize()));
            throw e;
        }
        int length = (int) src.byteSize();
        OverlappedRecord rec = sendRecord;
        if (!rec.acquire()) {
            throw SocketErrors.socketClosed();
        }
        try {
            for (;;) {
                ensureOpen();
                if (collectLeftover(rec, deadline, SocketErrors::writeTimedOut) != null) {
                    continue; // the send of an earlier, cancelled caller: not this datagram
                }
                MemorySegment.copy(src, 0, rec.data(), PAYLOAD, length);
                int toLength = target == null ? 0 : encode(target, address(rec));
                OperationRecord.Completion c = run(rec, PAYLOAD, length, (h, r) -> win32.wsaSendTo(h, r.wsaBuf(), 1,
                        r.syncBytes(), 0, toLength == 0 ? MemorySegment.NULL : address(r), toLength, r.overlapped()) == 0
                        ? 0 : win32.lastError(), deadline, SocketErrors::writeTimedOut);
                if (c.succeeded()) {
                    return length;
                }
                throwIfClosed(c);
                if (c.error() != WSA_OPERATION_ABORTED) {
                    throw datagramError("WSASendTo", c.error());
                } // else aborted by someone else's cancellation: send anew
            }
        } finally {
            rec.release();
        }
    }

    private static MemorySegment address(OverlappedRecord r) {
        return r.data().asSlice(ADDRESS, SockAddrs.SOCKADDR_STORAGE.byteSize());
    }

    /** java.net's exceptions for the errors of datagram calls (as the JDK maps them on Windows). */
    static IOException datagramError(String operation, int code) {
        IOException detail = Win32Error.exception(operation, code);
        SocketException e;
        if (code == WSAECONNRESET) {
            e = new PortUnreachableException("ICMP Port Unreachable");
        } else if (code == WSAEMSGSIZE) {
            e = new SocketException("Message too long");
        } else if (code == WSAEACCES) {
            return Win32Error.bindException(operation, code); // e.g. a broadcast without SO_BROADCAST
        } else {
            return detail;
        }
        e.initCause(detail);
        return e;
    }

    // ---------------------------------------------------------------- multicast

    @Override
    public void joinGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        memberships.join(group, interfaze, () -> membership(group, interfaze, true));
    }

    @Override
    public void leaveGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        if (!memberships.remove(group, interfaze)) {
            throw new SocketException("not a member of " + group + " on " + interfaze.getName());
        }
        membership(group, interfaze, false);
    }

    private void membership(InetAddress group, NetworkInterface interfaze, boolean join) throws IOException {
        ensureOpen();
        CarrierScratch s = CarrierScratch.get();
        int level;
        int name;
        MemorySegment m;
        if (group instanceof Inet4Address v4) {
            level = IPPROTO_IP;
            name = join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP;
            m = MulticastRequest.ipMreq(s.address, v4, interfaze.getIndex());
        } else {
            if (family != AF_INET6) {
                throw new SocketException("an IPv4 socket cannot join the IPv6 group " + group);
            }
            level = IPPROTO_IPV6;
            name = join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP;
            m = MulticastRequest.ipv6Mreq(s.address, (Inet6Address) group, interfaze.getIndex());
        }
        int length = (int) m.byteSize();
        String what = (join ? "join " : "leave ") + group + " on " + interfaze.getName();
        check(what, call(h -> win32.setsockopt(h, level, name, m, length) == 0 ? 0 : win32.lastError()));
    }

    // ---------------------------------------------------------------- options

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        OptionValues.requireSettable(OPTIONS, option, value);
        ensureOpen();
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value; // applied by bind, see the class comment
            return;
        }
        if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface ni = (NetworkInterface) value;
            if (family == AF_INET6) {
                setInt(IPPROTO_IPV6, IPV6_MULTICAST_IF, ni.getIndex(), true, option);
                setInt(IPPROTO_IP, IP_MULTICAST_IF, ipv4InterfaceValue(ni.getIndex()), false, option); // IPv4 groups
            } else {
                setInt(IPPROTO_IP, IP_MULTICAST_IF, ipv4InterfaceValue(ni.getIndex()), true, option);
            }
            multicastInterface = ni;
            return;
        }
        int v = OptionValues.toInt(option, value);
        int[] ln = levelAndName(option, family);
        setInt(ln[0], ln[1], v, true, option);
        if (family == AF_INET6 && ln[0] == IPPROTO_IPV6) {
            int[] v4 = levelAndName(option, AF_INET);
            setInt(v4[0], v4[1], v, false, option); // for IPv4 peers of a dual-stack socket
        }
    }

    private void setInt(int level, int name, int value, boolean required, SocketOption<?> option) throws IOException {
        CarrierScratch s = CarrierScratch.get();
        s.value.set(JAVA_INT, 0, value);
        int code = call(h -> win32.setsockopt(h, level, name, s.value, SocketOptions.VALUE_LENGTH) == 0 ? 0 : win32.lastError());
        if (required) {
            check("setsockopt(" + option.name() + ")", code);
        }
    }

    /** {@code IP_MULTICAST_IF}'s value for an interface index: the 0.0.0.0/8 form, stored in network byte order. */
    private static int ipv4InterfaceValue(int index) {
        int v = MulticastRequest.ipv4Interface(index);
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        OptionValues.requireSupported(OPTIONS, option);
        ensureOpen();
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            return option.type().cast(reuseAddress);
        }
        if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            return option.type().cast(multicastInterface); // Windows reports an address or index; the interface set is what was asked
        }
        int[] ln = levelAndName(option, family);
        CarrierScratch s = CarrierScratch.get();
        s.value.fill((byte) 0);
        s.length.set(JAVA_INT, 0, SocketOptions.VALUE_LENGTH);
        check("getsockopt(" + option.name() + ")", call(h ->
                win32.getsockopt(h, ln[0], ln[1], s.value, s.length) == 0 ? 0 : win32.lastError()));
        int length = s.length.get(JAVA_INT, 0);
        // Some BOOL options come back as one byte (a BOOLEAN), as for the stream sockets.
        int v = length == 1 ? s.value.get(JAVA_BYTE, 0) : length == 2 ? s.value.get(JAVA_SHORT, 0) : s.value.get(JAVA_INT, 0);
        return OptionValues.fromInt(option, v);
    }

    private static int[] levelAndName(SocketOption<?> option, int family) {
        boolean v6 = family == AF_INET6;
        if (option == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {SOL_SOCKET, SO_RCVBUF};
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {SOL_SOCKET, SO_SNDBUF};
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

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return super.localAddress();
    }

    @Override
    public String toString() {
        return "IocpDatagram[" + handle + (isOpen() ? "" : ", closed") + ", remote=" + remote + "]";
    }
}
