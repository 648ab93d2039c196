package dev.fiberio.net.spi;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;

/**
 * A backend's UDP socket, used by {@link dev.fiberio.net.FiberDatagramSocket}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Callers.</b> At most one receiver ({@link #receive}) and one sender ({@link #send}) at a
 *       time; {@code FiberDatagramSocket} guarantees it. Any other method may be called concurrently
 *       with them. As for {@link SocketHandle}: fibers suspend, plain threads park, nothing spins.</li>
 *   <li><b>Arguments</b> were checked by the caller: addresses are resolved and of a family the handle
 *       can reach (an IPv4 address on an IPv6 handle is sent as IPv4-mapped), segments are alive;
 *       a receive segment may be empty (the datagram is then consumed and wholly truncated).</li>
 *   <li><b>Deadlines, cancellation, closing</b> as in {@link SocketHandle}: {@link #receive} throws
 *       {@link SocketErrors#receiveTimedOut()} when its deadline passes; a cancelled caller throws
 *       {@link dev.fiberio.core.FiberCancelledException}; {@link #close()} wakes blocked callers with
 *       {@link SocketErrors#socketClosed()}.</li>
 *   <li><b>Errors</b> are java.net's: {@link java.net.PortUnreachableException} when a connected
 *       socket's peer answered with ICMP port unreachable (reported by the next receive or send),
 *       {@code SocketException("Message too long")} for a datagram larger than the protocol allows,
 *       {@link java.net.BindException} for an address in use.</li>
 * </ul>
 */
public interface DatagramHandle extends NetHandle {
    /**
     * The local address.
     *
     * @return the bound address, or {@code null} if not bound yet
     * @throws IOException if the handle is closed
     */
    @Override
    InetSocketAddress localAddress() throws IOException;

    /**
     * Binds to a local address.
     *
     * @param local a resolved address; port 0 picks an ephemeral port
     * @throws IOException such as {@link java.net.BindException}
     */
    void bind(InetSocketAddress local) throws IOException;

    /**
     * Connects: afterwards only datagrams from {@code remote} are received, and {@link #send} with a
     * {@code null} target sends to it. Never waits (UDP has no handshake); binds to an ephemeral port
     * if unbound.
     *
     * @param remote a resolved address
     * @throws IOException if the system refuses
     */
    void connect(InetSocketAddress remote) throws IOException;

    /**
     * Dissolves the association made by {@link #connect}. Idempotent.
     *
     * @throws IOException if closed
     */
    void disconnect() throws IOException;

    /**
     * The connected peer.
     *
     * @return the address given to {@link #connect}, or {@code null} if not connected
     * @throws IOException if closed
     */
    InetSocketAddress remoteAddress() throws IOException;

    /**
     * Receives one datagram, waiting until one arrives. Bytes beyond {@code dst}'s size are discarded
     * and reported through {@link Received#truncated()}. The caller binds the handle first (an
     * unbound UDP socket would receive nothing).
     *
     * @param dst      the destination; bytes land at its start
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return the sender, the bytes copied and whether the datagram was longer
     * @throws IOException such as {@code "Receive timed out"}, {@code "Socket closed"},
     *                     {@link java.net.PortUnreachableException}
     */
    Received receive(MemorySegment dst, long deadline) throws IOException;

    /**
     * Sends {@code src} as one datagram, waiting while the send buffer is full.
     *
     * @param src      the payload, possibly empty
     * @param target   the destination, or {@code null} on a connected handle (its peer)
     * @param deadline an absolute deadline or {@link Deadlines#NO_DEADLINE}
     * @return {@code src.byteSize()}: a datagram is sent whole or not at all
     * @throws IOException such as {@code "Message too long"}, {@link java.net.PortUnreachableException}
     */
    int send(MemorySegment src, InetSocketAddress target, long deadline) throws IOException;

    /**
     * Joins a multicast group on an interface.
     *
     * @param group     a multicast address
     * @param interfaze the interface
     * @throws IOException                   if the system refuses (such as an interface without multicast)
     * @throws UnsupportedOperationException if this backend has no multicast
     */
    void joinGroup(InetAddress group, NetworkInterface interfaze) throws IOException;

    /**
     * Leaves a group joined with {@link #joinGroup}.
     *
     * @param group     the group
     * @param interfaze the interface it was joined on
     * @throws IOException                   if not a member, or the system refuses
     * @throws UnsupportedOperationException if this backend has no multicast
     */
    void leaveGroup(InetAddress group, NetworkInterface interfaze) throws IOException;

    /**
     * One received datagram.
     *
     * @param sender    where it came from (an IPv4-mapped sender on an IPv6 socket is given as IPv4)
     * @param length    the bytes copied into the destination
     * @param truncated whether the datagram was longer than the destination
     */
    record Received(InetSocketAddress sender, int length, boolean truncated) {
    }
}
