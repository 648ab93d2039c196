package dev.fiberio.epoll;

import static dev.fiberio.nativeio.ffi.LinuxConstants.MSG_TRUNC;

import dev.fiberio.nativeio.ffi.DatagramSupport;
import dev.fiberio.nativeio.ffi.Errno;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.net.spi.DatagramHandle;
import dev.fiberio.net.spi.SocketErrors;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketOption;
import java.util.Set;

/**
 * A UDP socket on epoll: {@code recvfrom(2)} with {@code MSG_TRUNC} (the return value is the
 * datagram's real length, so truncation is seen) and {@code sendto(2)}, straight on the caller's memory
 * (heap segments too: the calls are linked critical), waiting on the direction's slot only on
 * {@code EAGAIN}. Registered with the poller like the stream sockets.
 *
 * <p>A connected socket that received ICMP port unreachable fails its next receive or send with
 * {@code ECONNREFUSED} ({@link PortUnreachableException}, as java.net). Addresses, options,
 * memberships, what a receive returns and the mapping of errors are shared with io_uring
 * ({@link DatagramSupport}); only the waiting is epoll's.
 */
final class EpollDatagram extends EpollChannel implements DatagramHandle {
    private final DatagramSupport support;

    private EpollDatagram(int fd, int family, EpollPoller poller) throws IOException {
        super(fd, family, poller);
        support = new DatagramSupport(this.fd, family, this::closedException);
    }

    /** Opens a non-blocking, close-on-exec UDP socket in the caller's epoll group. */
    static EpollDatagram open(int family) throws IOException {
        EpollPoller poller = EpollGroup.current().next();
        return new EpollDatagram(DatagramSupport.openSocket(family), family, poller);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        support.bind(local);
    }

    @Override
    public void connect(InetSocketAddress address) throws IOException {
        support.connect(address);
    }

    @Override
    public void disconnect() throws IOException {
        support.disconnect();
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        return support.remoteAddress();
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
                return support.received(sender, n, size, false); // n: the datagram's whole length (MSG_TRUNC)
            }
            int e = (int) -n;
            if (e == Errno.EAGAIN) {
                awaitReady(readSlot, deadline, SocketErrors::receiveTimedOut);
            } else if (e != Errno.EINTR) {
                throw DatagramSupport.error("recvfrom", e);
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
                throw DatagramSupport.error("sendto", e);
            }
        }
    }

    @Override
    public void joinGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        support.joinGroup(group, interfaze);
    }

    @Override
    public void leaveGroup(InetAddress group, NetworkInterface interfaze) throws IOException {
        support.leaveGroup(group, interfaze);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return DatagramSupport.OPTIONS;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        support.setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return support.getOption(option);
    }

    @Override
    public String toString() {
        return "EpollDatagram[fd=" + fd.fd + (fd.isClosed() ? ", closed" : "") + ", remote=" + support.remote() + "]";
    }
}
