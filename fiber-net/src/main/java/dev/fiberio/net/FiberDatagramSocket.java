package dev.fiberio.net;

import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.sync.FiberLock;
import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.NetProvider;
import dev.fiberio.net.spi.SocketErrors;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A UDP socket for fibers, with {@link java.net.DatagramSocket}'s contract: {@link #receive(DatagramPacket)}
 * looks blocking but suspends the calling fiber (parks a plain thread) until a datagram arrives.
 *
 * <ul>
 *   <li><b>Two APIs.</b> {@link #send(DatagramPacket)}/{@link #receive(DatagramPacket)} as
 *       {@code DatagramSocket}, and {@link #send(ByteBuffer, SocketAddress)}/{@link #receive(ByteBuffer)}
 *       as {@link java.nio.channels.DatagramChannel} (heap or direct buffers).</li>
 *   <li><b>Truncation</b> as {@code DatagramSocket}: a datagram longer than the packet's buffer is cut,
 *       the packet's length becomes the bytes that fitted and the rest is discarded (for a
 *       {@code ByteBuffer}: the buffer is filled, the rest discarded, as {@code DatagramChannel}).
 *       One difference: {@code java.net} keeps a hidden buffer length, so a packet that received 5
 *       bytes can receive 50 next time; here the length is set with
 *       {@link DatagramPacket#setLength}, which also bounds the next receive into that packet. Reset it
 *       ({@code p.setLength(buf.length)}) before reusing a packet.</li>
 *   <li><b>Timeouts</b>: {@link #setSoTimeout(int)} bounds a receive (including the wait for another
 *       receiver): {@link java.net.SocketTimeoutException}{@code ("Receive timed out")}, and the socket
 *       stays usable.</li>
 *   <li><b>Connected sockets</b> ({@link #connect}) receive only from their peer; a send to another
 *       address throws {@code IllegalArgumentException("Connected and packet address differ")}; an ICMP
 *       port-unreachable answer surfaces as {@link java.net.PortUnreachableException} from a later
 *       receive or send, as in {@code java.net}.</li>
 *   <li><b>Closing</b> wakes a blocked receive or send with {@code SocketException("Socket closed")};
 *       send and receive on a closed socket say "Socket closed", bind, connect and options
 *       "Socket is closed". {@linkplain dev.fiberio.core.Fiber#cancel() Cancelling} a fiber blocked in
 *       a receive or send closes the socket and throws {@code SocketException("Closed by interrupt")}
 *       caused by the {@link FiberCancelledException}, as {@link FiberSocket} (and {@code java.net} for
 *       an interrupted virtual thread) do.</li>
 *   <li><b>Address family</b>: the handle is created by the first bind, connect, send or join, of
 *       that address's family; a receive before any of these binds to the IPv4 wildcard address on an
 *       ephemeral port (as {@code bind(null)} does). An IPv6 socket also sends to IPv4 addresses
 *       (as IPv4-mapped) and reports IPv4 senders as IPv4 addresses.</li>
 *   <li><b>Options</b>: {@code SO_RCVBUF}, {@code SO_SNDBUF}, {@code SO_REUSEADDR}, {@code SO_REUSEPORT}
 *       (where the OS has it), {@code SO_BROADCAST}, {@code IP_TOS}, {@code IP_MULTICAST_IF},
 *       {@code IP_MULTICAST_TTL}, {@code IP_MULTICAST_LOOP}, and {@link #joinGroup}/{@link #leaveGroup},
 *       on the NIO, epoll and io_uring backends. Options set before the socket exists are applied when it
 *       is created. IOCP has no datagram sockets yet: {@link #open(NetProvider)} works, but the first
 *       operation throws {@link UnsupportedOperationException}.</li>
 * </ul>
 *
 * <p><b>Concurrency.</b> One receiver and one sender may work at the same time; concurrent receivers
 * (senders) take turns. Packets are read once at the start of a call and written once at the end,
 * without holding their monitor ({@code java.net} synchronizes on the packet; a monitor held across a
 * suspension would pin the fiber): do not share a packet between concurrent calls.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@code holder} owns the backend {@link DatagramHandle} and the closed flag (as in
 *       {@link FiberSocket}).</li>
 *   <li>{@code receiveLock}/{@code sendLock} ({@link FiberLock}s, held across waits) keep the handle to
 *       one receiver and one sender, as the SPI requires.</li>
 *   <li>{@code soTimeoutMillis} is volatile: written by any caller, read at the start of a receive.
 *       {@code connectedTo} is volatile, written under {@code holder}'s monitor-free path by connect and
 *       disconnect (which java.net does not order with concurrent sends either).</li>
 * </ul>
 */
public final class FiberDatagramSocket implements Closeable {
    /** Options that may be set before the socket exists (they are applied when it is created). */
    static final Set<SocketOption<?>> EARLY_OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_BROADCAST,
            StandardSocketOptions.IP_TOS, StandardSocketOptions.IP_MULTICAST_IF, StandardSocketOptions.IP_MULTICAST_TTL,
            StandardSocketOptions.IP_MULTICAST_LOOP);

    private final NetProvider provider;
    private final HandleHolder<DatagramHandle> holder;
    private final FiberLock receiveLock = new FiberLock();
    private final FiberLock sendLock = new FiberLock();
    private volatile int soTimeoutMillis;
    private volatile InetSocketAddress connectedTo;

    private FiberDatagramSocket(NetProvider provider) {
        this.provider = provider;
        this.holder = new HandleHolder<>(provider::openDatagram, EARLY_OPTIONS);
    }

    /**
     * An unbound datagram socket of the {@linkplain NetProviders#defaultProvider() default provider}.
     *
     * @return the new socket
     * @throws NetProviderUnavailableException if no provider can be used
     */
    public static FiberDatagramSocket open() {
        return open(NetProviders.defaultProvider());
    }

    /**
     * An unbound datagram socket of {@code provider}. No system resource is taken until it is bound,
     * connected, or used.
     *
     * @param provider the backend
     * @return the new socket
     */
    public static FiberDatagramSocket open(NetProvider provider) {
        return new FiberDatagramSocket(Objects.requireNonNull(provider, "provider"));
    }

    /**
     * The backend of this socket.
     *
     * @return the provider
     */
    public NetProvider provider() {
        return provider;
    }

    // ------------------------------------------------------------------------------------------
    // Bind, connect
    // ------------------------------------------------------------------------------------------

    /**
     * Binds to a local address. An unresolved address is resolved first.
     *
     * @param local the address; {@code null} for an ephemeral port on the IPv4 wildcard address
     * @return this socket
     * @throws java.net.BindException   if the address is in use
     * @throws SocketException          "Already bound", or "Socket is closed"
     * @throws IllegalArgumentException if {@code local} is not an {@link InetSocketAddress}
     */
    public FiberDatagramSocket bind(SocketAddress local) throws IOException {
        InetSocketAddress target = local == null ? HostResolver.IPV4_WILDCARD : HostResolver.inet(local, "local address");
        InetAddress address = HostResolver.resolve(target).getFirst();
        holder.ensureOpen();
        DatagramHandle h = holder.open(FiberSocket.familyOf(address));
        if (h.localAddress() != null) {
            throw new SocketException("Already bound");
        }
        try {
            h.bind(new InetSocketAddress(address, target.getPort()));
        } catch (IOException | RuntimeException e) {
            try {
                holder.discard(h); // back to unbound: a failed bind keeps no descriptor
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return this;
    }

    /**
     * Connects to {@code remote}: afterwards only its datagrams are received, and sends without an
     * address go to it. Binds to an ephemeral port first if unbound. No packet is exchanged.
     *
     * @param remote a resolved {@link InetSocketAddress}
     * @throws SocketException          "Unresolved address" (as {@code java.net}), "Socket is closed",
     *                                  or if the system refuses
     * @throws IllegalArgumentException if {@code remote} is not an {@link InetSocketAddress}
     */
    public void connect(SocketAddress remote) throws IOException {
        InetSocketAddress target = HostResolver.inet(remote, "remote address");
        if (target.isUnresolved()) {
            throw new SocketException("Unresolved address");
        }
        holder.ensureOpen();
        DatagramHandle h = handleFor(target.getAddress());
        h.connect(target);
        connectedTo = target;
    }

    /**
     * Dissolves the connection made by {@link #connect}; does nothing if not connected or closed (as
     * {@code java.net}).
     *
     * @throws IOException if the system refuses
     */
    public void disconnect() throws IOException {
        DatagramHandle h = holder.current();
        if (holder.isClosed() || h == null || connectedTo == null) {
            return;
        }
        h.disconnect();
        connectedTo = null;
    }

    /**
     * Whether the socket is connected.
     *
     * @return true between {@link #connect} and {@link #disconnect}
     */
    public boolean isConnected() {
        return connectedTo != null;
    }

    /**
     * Whether the socket has a local address (bound explicitly, or by a connect, send or receive).
     *
     * @return true once bound
     */
    public boolean isBound() {
        try {
            return !holder.isClosed() && holder.current() != null && holder.current().localAddress() != null;
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Sending
    // ------------------------------------------------------------------------------------------

    /**
     * Sends the packet's bytes ({@code getData()} from {@code getOffset()}, {@code getLength()} bytes)
     * as one datagram to the packet's address, or to the connected peer.
     *
     * @param p the packet
     * @throws IllegalArgumentException "Address not set" (unconnected, no address), "Connected and
     *                                  packet address differ"
     * @throws SocketException          "Can't send to port 0", "Message too long", "Socket closed",
     *                                  "Closed by interrupt"
     * @throws java.net.PortUnreachableException if the connected peer reported its port unreachable
     */
    public void send(DatagramPacket p) throws IOException {
        Objects.requireNonNull(p, "p");
        InetAddress address = p.getAddress();
        InetSocketAddress target = address == null ? null : new InetSocketAddress(address, p.getPort());
        send(IoArgs.ofArray(p.getData(), p.getOffset(), p.getLength()), target);
    }

    /**
     * Sends the remaining bytes of {@code src} as one datagram, as {@link java.nio.channels.DatagramChannel#send}.
     *
     * @param src    the payload; its position advances to its limit
     * @param target the destination; {@code null} on a connected socket
     * @return the number of bytes sent: all that remained
     * @throws UnresolvedAddressException if {@code target} is unresolved
     * @throws IOException                as {@link #send(DatagramPacket)}
     */
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        MemorySegment source = IoArgs.writeSource(src);
        InetSocketAddress to = null;
        if (target != null) {
            to = HostResolver.inet(target, "target");
            if (to.isUnresolved()) {
                throw new UnresolvedAddressException();
            }
        }
        int n = send(source, to);
        src.position(src.position() + n);
        return n;
    }

    private int send(MemorySegment src, InetSocketAddress target) throws IOException {
        InetSocketAddress peer = connectedTo;
        if (target == null && peer == null) {
            throw new IllegalArgumentException("Address not set");
        }
        if (peer != null && target != null && !peer.equals(target)) {
            throw new IllegalArgumentException("Connected and packet address differ");
        }
        if (peer == null && target.getPort() == 0) {
            throw new SocketException("Can't send to port 0");
        }
        holder.ensureOpenForIo();
        DatagramHandle h = handleFor((peer != null ? peer : target).getAddress());
        lock(sendLock, Deadlines.NO_DEADLINE);
        try {
            holder.ensureOpenForIo();
            return h.send(src, peer != null ? null : target, Deadlines.NO_DEADLINE);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        } finally {
            sendLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Receiving
    // ------------------------------------------------------------------------------------------

    /**
     * Receives one datagram into the packet's buffer ({@code getData()} from {@code getOffset()}, at
     * most {@code getLength()} bytes), waiting until one arrives or the {@linkplain #setSoTimeout
     * timeout} passes. Afterwards the packet's length is the number of bytes received (a longer
     * datagram is truncated to the buffer, the rest discarded) and its address and port are the
     * sender's.
     *
     * @param p the packet
     * @throws java.net.SocketTimeoutException   "Receive timed out"
     * @throws java.net.PortUnreachableException on a connected socket whose peer reported its port unreachable
     * @throws SocketException                   "Socket closed", "Closed by interrupt"
     */
    public void receive(DatagramPacket p) throws IOException {
        Objects.requireNonNull(p, "p");
        DatagramHandle.Received r = receive(IoArgs.ofArray(p.getData(), p.getOffset(), p.getLength()));
        p.setLength(r.length());
        p.setSocketAddress(r.sender());
    }

    /**
     * Receives one datagram into the remaining space of {@code dst}, as
     * {@link java.nio.channels.DatagramChannel#receive}: the position advances by the bytes received;
     * bytes that did not fit are discarded.
     *
     * @param dst the destination, heap or direct, not read-only
     * @return the sender
     * @throws IOException as {@link #receive(DatagramPacket)}
     */
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        DatagramHandle.Received r = receive(IoArgs.readTarget(dst));
        dst.position(dst.position() + r.length());
        return r.sender();
    }

    private DatagramHandle.Received receive(MemorySegment dst) throws IOException {
        holder.ensureOpenForIo();
        DatagramHandle h = holder.current();
        if (h == null) {
            bindImplicitly();
            h = holder.current();
        }
        int timeout = soTimeoutMillis;
        long deadline = timeout == 0 ? Deadlines.NO_DEADLINE : Timeouts.deadlineFor(TimeUnit.MILLISECONDS.toNanos(timeout));
        lock(receiveLock, deadline);
        try {
            holder.ensureOpenForIo();
            return h.receive(dst, deadline);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        } finally {
            receiveLock.unlock();
        }
    }

    /** A receive on a socket that has no handle yet binds it, as {@code java.net} does. */
    private void bindImplicitly() throws IOException {
        DatagramHandle h = holder.open(StandardProtocolFamily.INET);
        if (h.localAddress() == null) {
            try {
                h.bind(HostResolver.IPV4_WILDCARD);
            } catch (SocketException e) {
                if (h.localAddress() == null) { // another caller bound it meanwhile: fine
                    throw e;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Multicast
    // ------------------------------------------------------------------------------------------

    /**
     * Joins a multicast group: datagrams sent to it arrive at this socket (which must be bound to the
     * group's port). Supported on the NIO and epoll backends.
     *
     * @param group     a multicast address
     * @param interfaze the interface to join on
     * @throws SocketException               "Not a multicast address" (as {@code java.net}), or if the
     *                                       system refuses (an interface without multicast)
     * @throws UnsupportedOperationException if the backend has no multicast
     */
    public void joinGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        multicastHandle(group, interfaze).joinGroup(group, interfaze);
    }

    /**
     * Leaves a multicast group joined with {@link #joinGroup}.
     *
     * @param group     the group
     * @param interfaze the interface it was joined on
     * @throws SocketException if not a member of the group there
     */
    public void leaveGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        multicastHandle(group, interfaze).leaveGroup(group, interfaze);
    }

    private DatagramHandle multicastHandle(InetAddress group, NetworkInterface interfaze) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(interfaze, "interfaze");
        if (!group.isMulticastAddress()) {
            throw new SocketException("Not a multicast address");
        }
        holder.ensureOpen();
        return handleFor(group);
    }

    // ------------------------------------------------------------------------------------------
    // Close, state, options
    // ------------------------------------------------------------------------------------------

    /**
     * Closes the socket; a fiber or thread blocked in a receive or send wakes with
     * {@code SocketException("Socket closed")}. Idempotent.
     *
     * @throws IOException if the backend reported an error while releasing the socket (closed anyway)
     */
    @Override
    public void close() throws IOException {
        holder.close();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return holder.isClosed();
    }

    /**
     * The local address.
     *
     * @return the bound address, or {@code null} if not bound
     * @throws SocketException "Socket is closed"
     */
    public InetSocketAddress localAddress() throws IOException {
        holder.ensureOpen();
        DatagramHandle h = holder.current();
        return h == null ? null : h.localAddress();
    }

    /**
     * The connected peer.
     *
     * @return the peer, or {@code null} if not connected
     */
    public InetSocketAddress remoteAddress() {
        return connectedTo;
    }

    /**
     * Sets the longest time a receive waits, in milliseconds; 0 (the default) for no limit.
     *
     * @param timeoutMillis the timeout
     * @throws IllegalArgumentException "timeout &lt; 0"
     * @throws SocketException          "Socket is closed"
     */
    public void setSoTimeout(int timeoutMillis) throws SocketException {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        holder.ensureOpen();
        soTimeoutMillis = timeoutMillis;
    }

    /**
     * The receive timeout.
     *
     * @return milliseconds, 0 for none
     * @throws SocketException "Socket is closed"
     */
    public int getSoTimeout() throws SocketException {
        holder.ensureOpen();
        return soTimeoutMillis;
    }

    /**
     * Sets a socket option (see the class comment for which). Before the socket exists the value is
     * kept and applied when it is created.
     *
     * @param option the option
     * @param value  its value
     * @param <T>    the value type
     * @return this socket
     * @throws IOException                   if closed or refused by the system
     * @throws UnsupportedOperationException if the backend does not support the option
     */
    public <T> FiberDatagramSocket setOption(SocketOption<T> option, T value) throws IOException {
        holder.setOption(option, value);
        return this;
    }

    /**
     * Reads a socket option.
     *
     * @param option the option
     * @param <T>    the value type
     * @return its value
     * @throws IOException if closed, or, before the socket exists, for an option that was not set
     */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return holder.getOption(option);
    }

    /**
     * The options this socket supports (before it exists: those that may be set early).
     *
     * @return an unmodifiable set
     */
    public Set<SocketOption<?>> supportedOptions() {
        return holder.supportedOptions();
    }

    @Override
    public String toString() {
        DatagramHandle h = holder.current();
        return "FiberDatagramSocket[" + provider.name() + (holder.isClosed() ? ", closed" : "") + (h == null ? "" : ", " + h) + "]";
    }

    /** Takes a side's lock; a cancellation while waiting for it closes the socket. */
    private void lock(FiberLock lock, long deadline) throws IOException {
        try {
            Timeouts.lock(lock, deadline, SocketErrors::receiveTimedOut);
        } catch (FiberCancelledException cancelled) {
            throw holder.closeByInterrupt(cancelled);
        }
    }

    /** The handle, created for {@code address}'s family if there is none; an IPv6 handle also serves IPv4. */
    private DatagramHandle handleFor(InetAddress address) throws IOException {
        DatagramHandle h = holder.current();
        if (h != null && (holder.family() == StandardProtocolFamily.INET6 || !(address instanceof Inet6Address))) {
            return h;
        }
        ProtocolFamily family = FiberSocket.familyOf(address);
        return holder.open(family);
    }
}
