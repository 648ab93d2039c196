package dev.fiberio.net.nio;

import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.SelectionKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link DatagramHandle} on a non-blocking {@link DatagramChannel}; every channel call runs through
 * {@link OutOfLine} (see {@link NioHandle#call}).
 *
 * <p>Receives land in a direct buffer of the handle ({@link #MAX_DATAGRAM} bytes, allocated on the
 * first receive; one receiver at a time, as the SPI promises) and are copied out: {@code DatagramChannel}
 * silently drops what does not fit, and receiving one byte more than the caller asked for is how
 * truncation is seen. Multicast memberships are {@link MembershipKey}s kept per group and interface.
 */
final class NioDatagramHandle extends NioHandle<DatagramChannel> implements DatagramHandle {
    /** Larger than any UDP payload (65,507 bytes over IPv4, 65,527 over IPv6 without jumbograms). */
    static final int MAX_DATAGRAM = 65_536;

    private final Map<Membership, MembershipKey> memberships = new ConcurrentHashMap<>();
    /** Only the one receiver uses it. */
    private ByteBuffer receiveBuffer;

    NioDatagramHandle(DatagramChannel channel, NioPoller poller) throws IOException {
        super(channel, poller);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        call(() -> channel.bind(local));
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        call(() -> channel.connect(remote));
    }

    @Override
    public void disconnect() throws IOException {
        call(channel::disconnect);
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        return call(() -> (InetSocketAddress) channel.getRemoteAddress());
    }

    @Override
    public Received receive(MemorySegment dst, long deadline) throws IOException {
        if (receiveBuffer == null) {
            receiveBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        }
        ByteBuffer buf = receiveBuffer.clear().limit((int) Math.min(MAX_DATAGRAM, dst.byteSize() + 1));
        for (;;) {
            InetSocketAddress sender = call(() -> (InetSocketAddress) channel.receive(buf));
            if (sender != null) {
                int n = buf.position();
                int copied = (int) Math.min(n, dst.byteSize());
                MemorySegment.copy(MemorySegment.ofBuffer(buf.flip()), 0, dst, 0, copied);
                return new Received(sender, copied, n > copied);
            }
            if (Deadlines.hasPassed(deadline)) {
                throw SocketErrors.receiveTimedOut();
            }
            reg.await(SelectionKey.OP_READ, deadline);
        }
    }

    @Override
    public int send(MemorySegment src, InetSocketAddress target, long deadline) throws IOException {
        ByteBuffer buf = src.asByteBuffer();
        int size = buf.remaining();
        for (;;) {
            int n = call(() -> target == null ? channel.write(buf) : channel.send(buf, target));
            if (n > 0 || size == 0) { // an empty datagram: 0 whether sent or not; taken as sent
                return n;
            }
            if (Deadlines.hasPassed(deadline)) {
                throw SocketErrors.writeTimedOut();
            }
            reg.await(SelectionKey.OP_WRITE, deadline);
        }
    }

    @Override
    public void joinGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        Membership m = new Membership(group, interfaze);
        MembershipKey key = call(() -> channel.join(group, interfaze));
        memberships.put(m, key);
    }

    @Override
    public void leaveGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        MembershipKey key = memberships.remove(new Membership(group, interfaze));
        if (key == null) {
            throw new SocketException("not a member");
        }
        call(() -> {
            key.drop();
            return null;
        });
    }

    private record Membership(InetAddress group, NetworkInterface interfaze) {
    }
}
