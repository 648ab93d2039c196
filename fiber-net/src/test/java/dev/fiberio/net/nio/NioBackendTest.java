package dev.fiberio.net.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.FdCount;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import dev.fiberio.net.SocketSuite;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import org.junit.jupiter.api.Test;

/** What the shared suite cannot see: the NIO poller's life cycle and its release of descriptors. */
class NioBackendTest {
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private final NioNetProvider nio = new NioNetProvider();

    @Test
    void closingAListenerFreesItsPortBeforeCloseReturns() throws Exception {
        FiberScheduler s = TestSchedulers.create(2);
        try {
            int port = TestSchedulers.inFiber(s, () -> {
                FiberServerSocket listener = FiberServerSocket.open(nio).bind(ANY_LOOPBACK_PORT);
                int p = listener.localAddress().getPort();
                listener.close();
                return p;
            });
            // The JDK defers a registered channel's real close to the selector; ours waits for it.
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                assertEquals(port, again.getLocalPort());
            }
        } finally {
            TestSchedulers.closeChecked(s);
        }
    }

    @Test
    void closingTheSchedulerClosesItsSocketsAndWakesTheirWaiters() throws Exception {
        int fdsBefore = FdCount.count();
        FiberScheduler s = TestSchedulers.create(2);
        FiberServerSocket listener;
        FiberSocket client;
        try {
            listener = TestSchedulers.inFiber(s, () -> FiberServerSocket.open(nio).bind(ANY_LOOPBACK_PORT));
            client = TestSchedulers.inFiber(s, () -> {
                FiberSocket c = FiberSocket.open(nio);
                c.connect(listener.localAddress());
                return c;
            });
        } catch (Exception e) {
            s.close();
            throw e;
        }
        // Closing the scheduler closes its poller, which closes every socket registered with it.
        Throwable failure = SocketSuite.whileAThreadIsBlockedReading(client, reader -> TestSchedulers.closeChecked(s));
        SocketException e = assertInstanceOf(SocketException.class, failure);
        assertTrue(e.getMessage().startsWith("Socket closed: scheduler 'test' closed its NIO poller"), e.getMessage());
        assertThrows(SocketException.class, () -> listener.accept());
        client.close();
        listener.close();
        FdCount.assertNoLeak(fdsBefore);
    }

    @Test
    void otherProtocolFamiliesAreRefused() throws IOException {
        assertThrows(UnsupportedOperationException.class, () -> nio.openDatagram(StandardProtocolFamily.UNIX)); // AF_UNIX: streams only
        assertThrows(UnsupportedOperationException.class, () -> nio.openServerSocket(new ProtocolFamily() {
            @Override
            public String name() {
                return "AX25";
            }
        }));
    }
}
