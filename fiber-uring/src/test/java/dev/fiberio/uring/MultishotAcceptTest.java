package dev.fiberio.uring;

import static dev.fiberio.nativeio.ffi.LinuxConstants.AF_INET;
import static dev.fiberio.nativeio.ffi.LinuxConstants.FD_CLOEXEC;
import static dev.fiberio.nativeio.ffi.LinuxConstants.F_GETFD;
import static dev.fiberio.uring.HangGuard.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fiberio.core.spi.PollerThread;
import dev.fiberio.nativeio.ffi.LibC;
import dev.fiberio.net.FdCount;
import dev.fiberio.net.spi.Deadlines;
import dev.fiberio.net.spi.SocketHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Multishot accept: many concurrent connects, close with queued connections, deadlines. */
@RequiresUring
class MultishotAcceptTest {
    @Test
    void theProbeChoseMultishotAcceptOnAKernelThatHasIt() {
        UringFeatures f = UringFeatures.get();
        boolean expected = UringFeatures.atLeast(System.getProperty("os.version"), 5, 19)
                && Boolean.parseBoolean(System.getProperty("fiberio.uring.multishotAccept", "true"));
        assertEquals(expected, f.multishotAccept, f.toString());
        assertTrue(f.toString().contains(f.multishotAccept ? "accept=multishot" : "accept=one-shot"), f.toString());
    }

    @Test
    void twoHundredConcurrentConnectsAreAllAcceptedCloseOnExec() throws Exception {
        int clients = 200;
        Ring ring = new Ring(UringFeatures.get(), null, -1);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Socket> connected = new ArrayList<>();
        List<SocketHandle> accepted = new ArrayList<>();
        try (PollerThread poller = new PollerThread("accept-test", ring)) {
            UringServerSocket server = UringServerSocket.open(AF_INET, ring, () -> ring);
            try {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
                InetSocketAddress at = (InetSocketAddress) server.localAddress();
                List<Future<Socket>> connects = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    connects.add(pool.submit(() -> new Socket(at.getAddress(), at.getPort())));
                }
                Set<Integer> peerPorts = new HashSet<>();
                for (int i = 0; i < clients; i++) {
                    SocketHandle s = server.accept(Deadlines.after(Duration.ofSeconds(30)));
                    accepted.add(s);
                    int fd = ((UringSocket) s).fd.fd;
                    assertTrue((LibC.fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "accepted fd is close-on-exec");
                    peerPorts.add(((InetSocketAddress) s.remoteAddress()).getPort());
                }
                Set<Integer> clientPorts = new HashSet<>();
                for (Future<Socket> f : connects) {
                    Socket c = f.get(30, TimeUnit.SECONDS);
                    connected.add(c);
                    clientPorts.add(c.getLocalPort());
                }
                assertEquals(clients, peerPorts.size());
                assertEquals(clientPorts, peerPorts, "every client's connection was accepted once");
            } finally {
                server.close();
            }
        } finally {
            for (SocketHandle s : accepted) {
                s.close();
            }
            for (Socket c : connected) {
                c.close();
            }
            pool.shutdownNow();
            ring.close();
        }
    }

    @Test
    void closingTheServerWithQueuedConnectionsLeaksNoDescriptor() throws Exception {
        assumeTrue(UringFeatures.get().multishotAccept, "no multishot accept here");
        int fdsBefore = FdCount.count();
        int queued = 20;
        Ring ring = new Ring(UringFeatures.get(), null, -1);
        List<Socket> clients = new ArrayList<>();
        try (PollerThread poller = new PollerThread("accept-test", ring)) {
            UringServerSocket server = UringServerSocket.open(AF_INET, ring, () -> ring);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            InetSocketAddress at = (InetSocketAddress) server.localAddress();
            clients.add(new Socket(at.getAddress(), at.getPort()));
            server.accept(Deadlines.NO_DEADLINE).close(); // arms the multishot accept, which stays armed
            for (int i = 0; i < queued; i++) {
                clients.add(new Socket(at.getAddress(), at.getPort()));
            }
            awaitCondition(() -> server.queuedConnections() == queued); // accepted by the kernel, not by anyone
            server.close();
            assertEquals(0, server.queuedConnections());
            assertThrows(SocketException.class, () -> server.accept(Deadlines.NO_DEADLINE));
            awaitCondition(() -> ring.inFlight.get() == 0); // the cancelled request's last completion was reaped
        } finally {
            for (Socket c : clients) {
                c.close();
            }
            ring.close();
        }
        FdCount.assertNoLeak(fdsBefore);
    }

    @Test
    void anAcceptThatTimesOutLeavesTheRequestArmedAndTheNextAcceptTakesTheConnection() throws Exception {
        assumeTrue(UringFeatures.get().multishotAccept, "no multishot accept here");
        Ring ring = new Ring(UringFeatures.get(), null, -1);
        try (PollerThread poller = new PollerThread("accept-test", ring)) {
            UringServerSocket server = UringServerSocket.open(AF_INET, ring, () -> ring);
            try {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
                InetSocketAddress at = (InetSocketAddress) server.localAddress();
                assertThrows(SocketTimeoutException.class, () -> server.accept(System.nanoTime() - 1));
                assertTrue(server.records()[0].pending(), "armed");
                try (Socket client = new Socket(at.getAddress(), at.getPort())) {
                    awaitCondition(() -> server.queuedConnections() == 1);
                    SocketHandle s = server.accept(System.nanoTime() - 1); // queued: needs no wait
                    assertEquals(client.getLocalPort(), ((InetSocketAddress) s.remoteAddress()).getPort());
                    s.close();
                }
            } finally {
                server.close();
            }
        } finally {
            ring.close();
        }
    }
}
