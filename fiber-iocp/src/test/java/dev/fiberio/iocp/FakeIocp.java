package dev.fiberio.iocp;

import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.fiberio.iocp.win32.FakeWin32;
import dev.fiberio.iocp.win32.SockAddrs;
import dev.fiberio.iocp.win32.Win32;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A test fixture: an IOCP provider on a {@link FakeWin32} (through a {@link CountingWin32}), with
 * its own completion port and {@code pollers} poller threads (0: the test polls with
 * {@link #poller()}), and small record buffers so that large transfers take many operations.
 */
final class FakeIocp implements AutoCloseable {
    /** Data buffer size of the records in tests. */
    static final int BUFFER = 1024;

    final FakeWin32 fake = new FakeWin32();
    final Win32 win32 = CountingWin32.wrap(fake);
    final IocpNetProvider provider;

    FakeIocp(int pollers) {
        this(IocpConfig.of(pollers, BUFFER));
    }

    FakeIocp(IocpConfig config) {
        provider = new IocpNetProvider(win32, config);
    }

    /** The call counter of {@link #win32}. */
    CountingWin32 calls() {
        return CountingWin32.of(win32);
    }

    /** The provider's group, started on first use. */
    IocpGroup group() throws IOException {
        return provider.group();
    }

    /** A poller on the group's port, for tests that poll themselves. */
    IocpPoller poller() throws IOException {
        return new IocpPoller(win32, group().port);
    }

    /** Records taken from the group's pool and not released yet. */
    long liveRecords() throws IOException {
        return group().records.live();
    }

    /** {@link #liveRecords()} for conditions (the group exists already). */
    long live() {
        try {
            return liveRecords();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The local address of a raw fake socket (getsockname), from a plain thread. */
    InetSocketAddress localAddress(long handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(SockAddrs.SOCKADDR_STORAGE);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) name.byteSize());
            if (fake.getsockname(handle, name, length) != 0) {
                throw new AssertionError("getsockname failed: " + fake.lastError());
            }
            return SockAddrs.decode(name);
        }
    }

    /**
     * One end of a fake connection as an IOCP socket; the other end stays a raw fake socket that the
     * test drives with {@link FakeWin32#receive} and {@link FakeWin32#takeReceived}.
     */
    Connection connection() throws IOException {
        FakeWin32.SocketPair pair = fake.connectedPair(AF_INET);
        IocpSocket socket = IocpSocket.accepted(group(), pair.first(), AF_INET,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 1));
        return new Connection(socket, pair.first(), pair.second());
    }

    /**
     * An IOCP socket and its raw fake peer.
     *
     * @param socket the IOCP socket
     * @param handle its fake handle (data for it: {@code fake.receive(handle, bytes)})
     * @param peer   the raw peer handle (what the socket sent: {@code fake.takeReceived(peer)})
     */
    record Connection(IocpSocket socket, long handle, long peer) {
    }

    @Override
    public void close() {
        provider.close();
    }
}
