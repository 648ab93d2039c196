package dev.fiberio.iocp;

import static dev.fiberio.core.TestSchedulers.awaitCondition;
import static dev.fiberio.iocp.win32.Win32Constants.AF_INET;
import static dev.fiberio.iocp.win32.Win32Constants.AF_INET6;
import static dev.fiberio.iocp.win32.Win32Constants.SOL_SOCKET;
import static dev.fiberio.iocp.win32.Win32Constants.SO_LINGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.iocp.win32.Linger;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Listening and accepting as a Win32 review asked: IPv6 addresses read from AcceptEx's unaligned
 * buffer format, dual-stack listeners, large backlogs, several AcceptEx posted per listener, a
 * connection that dies before it is accepted, bind's WSAEACCES, and closesocket kept off the poller
 * threads. Each runs on the fake kernel, which models the Windows behaviour in question.
 */
class AcceptTest {
    private final FakeIocp iocp = new FakeIocp(2);
    private final FiberScheduler scheduler = TestSchedulers.create(2);

    @AfterEach
    void tearDown() throws Exception {
        TestSchedulers.closeChecked(scheduler);
        awaitCondition("records released", () -> iocp.live() == 0);
        iocp.close();
    }

    private SocketHandle accept(IocpServerSocket server) {
        return Spawned.inFiber(scheduler, () -> server.accept(Deadlines.NO_DEADLINE)).join();
    }

    @Test
    void acceptsAnIpv6ConnectionWhoseAddressesSitUnalignedInTheAcceptExBuffer() throws Exception {
        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET6);
        server.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0), 5);
        long client = iocp.fake.connectTo(server.handle);
        try (SocketHandle s = accept(server)) {
            assertEquals(iocp.localAddress(client), s.remoteAddress());
            assertInstanceOf(Inet6Address.class, ((java.net.InetSocketAddress) s.remoteAddress()).getAddress());
        }
        server.close();
    }

    @Test
    void aListenerOnTheIpv6WildcardAcceptsIpv4ClientsAsJavaNetDoes() throws Exception {
        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET6);
        server.bind(new InetSocketAddress(InetAddress.getByName("::"), 0), 5);
        int port = server.localAddress().getPort();
        IocpSocket client = IocpSocket.open(iocp.group(), AF_INET);
        Spawned.inFiber(scheduler, () -> {
            client.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), Deadlines.NO_DEADLINE);
            return null;
        }).join();
        try (SocketHandle s = accept(server)) {
            assertInstanceOf(Inet4Address.class, ((java.net.InetSocketAddress) s.remoteAddress()).getAddress(), "the IPv4-mapped peer, as an Inet4Address");
        }
        client.close();
        server.close();
    }

    @Test
    void aBacklogAbove200IsPassedAsSomaxconnHint() throws Exception {
        assertEquals(50, IocpServerSocket.listenBacklog(50));
        assertEquals(200, IocpServerSocket.listenBacklog(200));
        assertEquals(-1000, IocpServerSocket.listenBacklog(1000));
        assertEquals(-65535, IocpServerSocket.listenBacklog(1 << 20));
        assertEquals(1, IocpServerSocket.listenBacklog(0));

        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
        int posted = iocp.group().config.postedAccepts();
        List<Long> clients = new ArrayList<>();
        for (int i = 0; i < posted + 600; i++) {
            long c = iocp.fake.tryConnectTo(server.handle);
            assertNotEquals(-1L, c, "connection " + i + " refused: the backlog was capped at 200");
            clients.add(c);
        }
        server.close();
    }

    @Test
    void aBurstLargerThanTheBacklogFindsAcceptExPosted() throws Exception {
        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        int posted = iocp.group().config.postedAccepts();
        assertTrue(posted >= 16, "default of posted accepts: " + posted);
        awaitCondition("AcceptEx posted", () -> iocp.fake.pendingOperations(server.handle) == posted);
        for (int i = 0; i < posted + 1; i++) { // the posted AcceptEx, then one in the backlog of 1
            assertNotEquals(-1L, iocp.fake.tryConnectTo(server.handle), "connection " + i + " refused");
        }
        for (int i = 0; i < posted + 1; i++) {
            accept(server).close();
        }
        server.close();
    }

    @Test
    void aConnectionResetBeforeItsAcceptContextWasUpdatedIsSkipped() throws Exception {
        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        long dying = iocp.fake.connectTo(server.handle); // completes a posted AcceptEx at once
        abortiveClose(dying); // the server side of that connection is reset
        long alive = iocp.fake.connectTo(server.handle);
        try (SocketHandle s = accept(server)) {
            assertEquals(iocp.localAddress(alive), s.remoteAddress());
        }
        server.close();
    }

    @Test
    void bindToAReservedPortIsABindException() throws Exception {
        iocp.fake.reservePort(50_000);
        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET);
        BindException e = assertThrows(BindException.class,
                () -> server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000), 5));
        assertTrue(e.getMessage().startsWith("Permission denied"), e.getMessage());
        server.close();
    }

    @Test
    void closingAListenerNeverRunsClosesocketOnAPollerThread() throws Exception {
        IocpServerSocket server = IocpServerSocket.open(iocp.group(), AF_INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        int posted = iocp.group().config.postedAccepts();
        awaitCondition("AcceptEx posted", () -> iocp.fake.pendingOperations(server.handle) == posted);
        int before = iocp.fake.closesocketThreads().size();
        server.close(); // aborts every AcceptEx; their records are released when the pollers dequeue them
        awaitCondition("the listener and its accepting sockets closed",
                () -> iocp.fake.closesocketThreads().size() == before + 1 + posted);
        for (String thread : iocp.fake.closesocketThreads()) {
            assertTrue(!thread.startsWith("fiberio-iocp-own-") || thread.endsWith("-closer"),
                    "closesocket ran on poller thread " + thread);
        }
    }

    private void abortiveClose(long socket) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment linger = arena.allocate(Linger.LAYOUT);
            Linger.set(linger, true, 0);
            assertEquals(0, iocp.fake.setsockopt(socket, SOL_SOCKET, SO_LINGER, linger, (int) linger.byteSize()));
        }
        assertEquals(0, iocp.fake.closesocket(socket));
    }
}
