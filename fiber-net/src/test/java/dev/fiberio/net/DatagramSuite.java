package dev.fiberio.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.FiberState;
import dev.fiberio.core.DumpFibersOnFailure;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.spi.NetProvider;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The datagram test suite every backend with UDP must pass: a backend's test extends this class and
 * returns its provider. Written from {@link DatagramSocket}'s contract; where the outcome can be
 * compared, each case runs the same scenario on {@code java.net.DatagramSocket} on this JDK and
 * asserts the same result. After each test: no file descriptor leaked (where {@code /proc/self/fd}
 * exists) and the scheduler reports no invariant violation.
 *
 * <p>UDP on loopback may drop datagrams only when a receive buffer overflows; the tests never send
 * more than one datagram ahead of its receiver, so none is lost. No test orders threads with sleeps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class DatagramSuite {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int SHORT_MILLIS = 150;

    /** The per-test scheduler. */
    protected FiberScheduler scheduler;
    /** Prints this test's fibers if it fails or times out. */
    @RegisterExtension
    final DumpFibersOnFailure fiberDump = new DumpFibersOnFailure(() -> scheduler);
    private NetProvider net;
    private int fdsBefore;

    /**
     * The backend under test.
     *
     * @return its provider
     */
    protected abstract NetProvider provider();

    /** Creates the plain-thread I/O machinery (lives as long as the JVM) before the first count. */
    @BeforeAll
    void warmUp() throws Exception {
        net = provider();
        try (FiberDatagramSocket a = bound(); FiberDatagramSocket b = bound()) {
            a.send(new DatagramPacket(new byte[] {1}, 1, b.localAddress()));
            b.receive(new DatagramPacket(new byte[1], 1));
        }
        // The JDK's poller for virtual threads' sockets lives as long as the JVM: start it now.
        assertEquals("SocketException: Closed by interrupt, closed true", interruptAVirtualThreadBlockedInAJavaNetReceive());
    }

    @BeforeEach
    void setUp() {
        fdsBefore = FdCount.count();
        scheduler = TestSchedulers.create(4);
        net = provider();
    }

    @AfterEach
    void tearDown() {
        TestSchedulers.closeChecked(scheduler);
        FdCount.assertNoLeak(fdsBefore);
    }

    // ------------------------------------------------------------------------------------------
    // Send and receive
    // ------------------------------------------------------------------------------------------

    @Test
    void sendsAndReceivesWithTheSourceAddress() throws Exception {
        inFiber(() -> {
            try (FiberDatagramSocket a = bound(); FiberDatagramSocket b = bound()) {
                assertNotEquals(0, a.localAddress().getPort());
                assertTrue(a.isBound());
                byte[] data = pattern(1000, 1);
                a.send(new DatagramPacket(data, data.length, b.localAddress()));
                DatagramPacket p = new DatagramPacket(new byte[2000], 2000);
                b.receive(p);
                assertEquals(1000, p.getLength());
                assertArrayEquals(data, Arrays.copyOf(p.getData(), 1000));
                assertEquals(a.localAddress(), p.getSocketAddress());
                return null;
            }
        });
    }

    @Test
    void largestDatagramArrivesWhole() throws Exception {
        int size = 65_507; // the largest UDP payload over IPv4
        inFiber(() -> {
            try (FiberDatagramSocket a = bound(); FiberDatagramSocket b = bound()) {
                b.setOption(StandardSocketOptions.SO_RCVBUF, 256 * 1024);
                byte[] data = pattern(size, 2);
                a.send(ByteBuffer.wrap(data), b.localAddress());
                ByteBuffer got = ByteBuffer.allocateDirect(size + 10);
                assertEquals(a.localAddress(), b.receive(got));
                assertEquals(size, got.position());
                assertEquals(ByteBuffer.wrap(data), got.flip());
                return null;
            }
        });
    }

    @Test
    void truncatesAsJavaNetDoes() throws Exception {
        byte[] data = pattern(100, 3);
        String expected;
        try (DatagramSocket r = new DatagramSocket(0, LOOPBACK); DatagramSocket s = new DatagramSocket()) {
            s.send(new DatagramPacket(data, data.length, r.getLocalSocketAddress()));
            expected = truncationOutcome(r::receive);
            s.send(new DatagramPacket(new byte[] {7}, 1, r.getLocalSocketAddress()));
            expected += "; then " + truncationOutcome(r::receive);
        }
        assertTrue(expected.startsWith("length 20 offset 10 data-ok"), expected);
        String got = inFiber(() -> {
            try (FiberDatagramSocket r = bound(); FiberDatagramSocket s = bound()) {
                s.send(new DatagramPacket(data, data.length, r.localAddress()));
                String what = truncationOutcome(r::receive);
                s.send(new DatagramPacket(new byte[] {7}, 1, r.localAddress()));
                return what + "; then " + truncationOutcome(r::receive);
            }
        });
        assertEquals(expected, got, "the rest of a truncated datagram is discarded, not delivered next");
    }

    private interface Receiver {
        void receive(DatagramPacket p) throws IOException;
    }

    private static String truncationOutcome(Receiver r) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[200], 10, 20);
        r.receive(p);
        byte[] data = pattern(100, 3);
        boolean ok = Arrays.equals(Arrays.copyOfRange(p.getData(), 10, 10 + p.getLength()), Arrays.copyOf(data, p.getLength()));
        return "length " + p.getLength() + " offset " + p.getOffset() + (ok ? " data-ok" : " first=" + p.getData()[10]);
    }

    @Test
    void aByteBufferTooSmallIsFilledAndTheRestDiscarded() throws Exception {
        inFiber(() -> {
            try (FiberDatagramSocket a = bound(); FiberDatagramSocket b = bound()) {
                a.send(ByteBuffer.wrap(pattern(50, 4)), b.localAddress());
                a.send(ByteBuffer.wrap(new byte[] {9, 8}), b.localAddress());
                ByteBuffer small = ByteBuffer.allocate(10);
                b.receive(small);
                assertEquals(10, small.position());
                assertArrayEquals(Arrays.copyOf(pattern(50, 4), 10), small.array());
                ByteBuffer next = ByteBuffer.allocate(10);
                b.receive(next);
                assertEquals(2, next.position(), "the next receive gets the next datagram");
                return null;
            }
        });
    }

    @Test
    void emptyDatagramsAreSentAndReceived() throws Exception {
        inFiber(() -> {
            try (FiberDatagramSocket a = bound(); FiberDatagramSocket b = bound()) {
                a.send(new DatagramPacket(new byte[0], 0, b.localAddress()));
                DatagramPacket p = new DatagramPacket(new byte[10], 10);
                b.receive(p);
                assertEquals(0, p.getLength());
                assertEquals(a.localAddress(), p.getSocketAddress());
                // a zero-length buffer still takes (and wholly truncates) a datagram
                a.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), b.localAddress());
                assertEquals(a.localAddress(), b.receive(ByteBuffer.allocate(0)));
                return null;
            }
        });
    }

    @Test
    void pingPongBetweenFibers() throws Exception {
        int rounds = 500;
        inFiber(() -> {
            try (FiberDatagramSocket a = bound(); FiberDatagramSocket b = bound()) {
                InetSocketAddress aAddr = a.localAddress();
                SocketSuite.Task<Integer> echo = fork(() -> {
                    DatagramPacket p = new DatagramPacket(new byte[64], 64);
                    for (int i = 0; i < rounds; i++) {
                        p.setLength(64);
                        b.receive(p);
                        b.send(p); // back to the sender, whose address the receive put in p
                    }
                    return rounds;
                });
                ByteBuffer in = ByteBuffer.allocate(64);
                for (int i = 0; i < rounds; i++) {
                    a.send(ByteBuffer.allocate(4).putInt(0, i), b.localAddress());
                    in.clear();
                    assertEquals(b.localAddress(), a.receive(in));
                    assertEquals(i, in.flip().getInt());
                }
                assertEquals(rounds, echo.get());
                assertEquals(aAddr, a.localAddress());
                return null;
            }
        });
    }

    @Test
    void concurrentReceiversTakeTurnsAndEachDatagramIsReceivedOnce() throws Exception {
        int receivers = 5;
        int each = 10; // 50 small datagrams: far below the default receive buffer, none dropped
        inFiber(() -> {
            try (FiberDatagramSocket a = bound(); FiberDatagramSocket b = bound()) {
                List<SocketSuite.Task<List<Integer>>> tasks = new ArrayList<>();
                for (int i = 0; i < receivers; i++) {
                    tasks.add(fork(() -> {
                        List<Integer> got = new ArrayList<>();
                        for (int k = 0; k < each; k++) {
                            ByteBuffer in = ByteBuffer.allocate(8);
                            b.receive(in);
                            got.add(in.flip().getInt());
                        }
                        return got;
                    }));
                }
                for (int i = 0; i < receivers * each; i++) {
                    a.send(ByteBuffer.allocate(4).putInt(0, i), b.localAddress());
                }
                List<Integer> all = new ArrayList<>();
                for (SocketSuite.Task<List<Integer>> t : tasks) {
                    all.addAll(t.get());
                }
                Collections.sort(all);
                List<Integer> want = new ArrayList<>();
                for (int i = 0; i < receivers * each; i++) {
                    want.add(i);
                }
                assertEquals(want, all);
                return null;
            }
        });
    }

    @Test
    void receiveBeforeBindBindsToAnEphemeralPort() throws Exception {
        inFiber(() -> {
            try (FiberDatagramSocket s = FiberDatagramSocket.open(net)) {
                assertNull(s.localAddress());
                assertFalse(s.isBound());
                s.setSoTimeout(1);
                assertThrows(SocketTimeoutException.class, () -> s.receive(new DatagramPacket(new byte[1], 1)));
                assertTrue(s.isBound());
                assertNotEquals(0, s.localAddress().getPort());
                return null;
            }
        });
    }

    @Test
    void sendsAndReceivesFromPlainThreads() throws Exception {
        try (FiberDatagramSocket a = bound(); FiberDatagramSocket b = bound()) {
            AtomicReference<DatagramPacket> got = new AtomicReference<>();
            Thread receiver = Thread.ofPlatform().start(() -> {
                DatagramPacket p = new DatagramPacket(new byte[16], 16);
                try {
                    b.receive(p);
                    got.set(p);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            TestSchedulers.awaitCondition("receiver parked", () -> receiver.getState() == Thread.State.WAITING);
            a.send(new DatagramPacket(new byte[] {5, 6}, 2, b.localAddress()));
            receiver.join();
            assertEquals(2, got.get().getLength());
            assertEquals(a.localAddress(), got.get().getSocketAddress());
        }
    }

    @Test
    void ipv6Loopback() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(javaNetCanBind(v6), "no IPv6 loopback here");
        inFiber(() -> {
            try (FiberDatagramSocket a = FiberDatagramSocket.open(net).bind(new InetSocketAddress(v6, 0));
                 FiberDatagramSocket b = FiberDatagramSocket.open(net).bind(new InetSocketAddress(v6, 0))) {
                a.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, b.localAddress()));
                DatagramPacket p = new DatagramPacket(new byte[8], 8);
                b.receive(p);
                assertEquals(3, p.getLength());
                assertEquals(a.localAddress(), p.getSocketAddress());
                return null;
            }
        });
    }

    @Test
    void anIpv6SocketExchangesWithIpv4PeersAndReportsThemAsIpv4() throws Exception {
        assumeTrue(javaNetCanBind(InetAddress.getByName("::")), "no IPv6 here");
        inFiber(() -> {
            try (FiberDatagramSocket dual = FiberDatagramSocket.open(net).bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
                 FiberDatagramSocket v4 = bound()) {
                InetSocketAddress dualAt = new InetSocketAddress(LOOPBACK, dual.localAddress().getPort());
                v4.send(new DatagramPacket(new byte[] {1}, 1, dualAt));
                DatagramPacket p = new DatagramPacket(new byte[8], 8);
                dual.receive(p);
                assertInstanceOf(Inet4Address.class, p.getAddress(), "an IPv4 sender is reported as IPv4, as java.net does");
                assertEquals(v4.localAddress(), p.getSocketAddress());
                dual.send(new DatagramPacket(new byte[] {2, 2}, 2, v4.localAddress()));
                DatagramPacket q = new DatagramPacket(new byte[8], 8);
                v4.receive(q);
                assertEquals(2, q.getLength());
                return null;
            }
        });
    }

    // ------------------------------------------------------------------------------------------
    // Connect
    // ------------------------------------------------------------------------------------------

    @Test
    void aConnectedSocketReceivesOnlyFromItsPeerUntilDisconnected() throws Exception {
        inFiber(() -> {
            try (FiberDatagramSocket s = bound(); FiberDatagramSocket peer = bound(); FiberDatagramSocket other = bound()) {
                s.connect(peer.localAddress());
                assertTrue(s.isConnected());
                assertEquals(peer.localAddress(), s.remoteAddress());
                other.send(new DatagramPacket(new byte[] {1}, 1, s.localAddress())); // filtered by the kernel
                peer.send(new DatagramPacket(new byte[] {2}, 1, s.localAddress()));
                DatagramPacket p = new DatagramPacket(new byte[4], 4);
                s.receive(p);
                assertEquals(2, p.getData()[0]);
                assertEquals(peer.localAddress(), p.getSocketAddress());
                s.send(new DatagramPacket(new byte[] {3}, 1)); // to the peer, no address needed
                DatagramPacket q = new DatagramPacket(new byte[4], 4);
                peer.receive(q);
                assertEquals(s.localAddress(), q.getSocketAddress());

                InetSocketAddress before = s.localAddress();
                s.disconnect();
                assertEquals(before, s.localAddress(), "disconnect keeps the local address, as java.net");
                assertFalse(s.isConnected());
                assertNull(s.remoteAddress());
                other.send(new DatagramPacket(new byte[] {4}, 1, s.localAddress()));
                p.setLength(4);
                s.receive(p);
                assertEquals(4, p.getData()[0]);
                assertEquals(other.localAddress(), p.getSocketAddress());
                return null;
            }
        });
    }

    @Test
    void aConnectedSocketLearnsOfAnUnreachablePortAsJavaNetDoes() throws Exception {
        String expected;
        try (DatagramSocket c = new DatagramSocket(0, LOOPBACK)) {
            c.connect(closedPort());
            c.setSoTimeout(10_000);
            c.send(new DatagramPacket(new byte[1], 1));
            expected = outcome(() -> c.receive(new DatagramPacket(new byte[1], 1)));
        }
        assertEquals("PortUnreachableException", expected.split(":")[0]);
        String got = inFiber(() -> {
            try (FiberDatagramSocket c = bound()) {
                c.connect(closedPort());
                c.setSoTimeout(10_000);
                c.send(new DatagramPacket(new byte[1], 1));
                return outcome(() -> c.receive(new DatagramPacket(new byte[1], 1)));
            }
        });
        assertEquals(expected.split(":")[0], got.split(":")[0], got);
    }

    // ------------------------------------------------------------------------------------------
    // Timeouts, close, cancellation
    // ------------------------------------------------------------------------------------------

    @Test
    void receiveTimesOutAsJavaNetAndTheSocketStaysUsable() throws Exception {
        String expected;
        try (DatagramSocket r = new DatagramSocket(0, LOOPBACK)) {
            r.setSoTimeout(SHORT_MILLIS);
            expected = outcome(() -> r.receive(new DatagramPacket(new byte[1], 1)));
        }
        inFiber(() -> {
            try (FiberDatagramSocket r = bound(); FiberDatagramSocket s = bound()) {
                r.setSoTimeout(SHORT_MILLIS);
                assertEquals(SHORT_MILLIS, r.getSoTimeout());
                long start = System.nanoTime();
                assertEquals(expected, outcome(() -> r.receive(new DatagramPacket(new byte[1], 1))));
                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(SHORT_MILLIS), "returned before the timeout");
                s.send(new DatagramPacket(new byte[] {1}, 1, r.localAddress()));
                DatagramPacket p = new DatagramPacket(new byte[1], 1);
                r.receive(p);
                assertEquals(1, p.getData()[0]);
                return null;
            }
        });
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        try (FiberDatagramSocket r = inFiber(this::bound)) {
            SocketSuite.Task<Void> receiver = fork(() -> {
                r.receive(new DatagramPacket(new byte[1], 1));
                return null;
            });
            awaitSuspended(receiver.fiber());
            r.close();
            assertEquals("Socket closed", receiver.failure(SocketException.class).getMessage());
        }
    }

    @Test
    void closeWakesAReceiverBlockedOnAPlainThread() throws Exception {
        try (FiberDatagramSocket r = bound()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    r.receive(new DatagramPacket(new byte[1], 1));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            TestSchedulers.awaitCondition("receiver parked", () -> t.getState() == Thread.State.WAITING);
            r.close();
            t.join();
            assertEquals("Socket closed", assertInstanceOf(SocketException.class, failure.get()).getMessage());
        }
    }

    @Test
    void cancellingABlockedReceiverClosesTheSocketWithClosedByInterrupt() throws Exception {
        try (FiberDatagramSocket r = inFiber(this::bound)) {
            SocketSuite.Task<String> receiver = fork(() -> {
                SocketException e = assertThrows(SocketException.class, () -> r.receive(new DatagramPacket(new byte[1], 1)));
                assertInstanceOf(FiberCancelledException.class, e.getCause());
                assertThrows(FiberCancelledException.class, () -> Fiber.sleep(Duration.ofSeconds(30)));
                return e.getMessage();
            });
            awaitSuspended(receiver.fiber());
            receiver.fiber().cancel();
            assertEquals("Closed by interrupt", receiver.get());
            assertTrue(r.isClosed());
            assertEquals("Socket closed", assertThrows(SocketException.class, () -> r.receive(new DatagramPacket(new byte[1], 1))).getMessage());
        }
    }

    @Test
    void interruptingAThreadBlockedInReceiveClosesTheSocketAsJavaNetDoesForAVirtualThread() throws Exception {
        String expected = interruptAVirtualThreadBlockedInAJavaNetReceive();
        try (FiberDatagramSocket r = bound()) {
            CompletableFuture<String> result = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> result.complete(outcome(() -> r.receive(new DatagramPacket(new byte[1], 1)))));
            TestSchedulers.awaitCondition("thread parked", () -> t.getState() == Thread.State.WAITING);
            t.interrupt();
            assertEquals(expected, result.get(30, TimeUnit.SECONDS) + ", closed " + r.isClosed());
        }
    }

    private static String interruptAVirtualThreadBlockedInAJavaNetReceive() throws Exception {
        try (DatagramSocket r = new DatagramSocket(0, LOOPBACK)) {
            CompletableFuture<String> result = new CompletableFuture<>();
            Thread t = Thread.ofVirtual().start(() -> result.complete(outcome(() -> r.receive(new DatagramPacket(new byte[1], 1)))));
            TestSchedulers.awaitCondition("virtual thread blocked", () -> t.getState() == Thread.State.WAITING);
            t.interrupt();
            return result.get(30, TimeUnit.SECONDS) + ", closed " + r.isClosed();
        }
    }

    @Test
    void usesOfAClosedSocketSayWhatJavaNetSays() throws Exception {
        InetSocketAddress somewhere = new InetSocketAddress(LOOPBACK, 9);
        DatagramSocket j = new DatagramSocket(0, LOOPBACK);
        j.close();
        List<String> expected = List.of(
                outcome(() -> j.receive(new DatagramPacket(new byte[1], 1))),
                outcome(() -> j.send(new DatagramPacket(new byte[1], 1, somewhere))),
                outcome(() -> j.bind(null)),
                outcome(() -> j.setSoTimeout(5)),
                outcome(j::getSoTimeout));
        FiberDatagramSocket f = bound();
        f.close();
        f.close(); // idempotent
        List<String> got = List.of(
                outcome(() -> f.receive(new DatagramPacket(new byte[1], 1))),
                outcome(() -> f.send(new DatagramPacket(new byte[1], 1, somewhere))),
                outcome(() -> f.bind(null)),
                outcome(() -> f.setSoTimeout(5)),
                outcome(f::getSoTimeout));
        assertEquals(expected, got);
        assertTrue(f.isClosed());
    }

    // ------------------------------------------------------------------------------------------
    // Errors and bad arguments
    // ------------------------------------------------------------------------------------------

    @Test
    void errorsSayWhatJavaNetSays() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0, LOOPBACK)) {
            InetSocketAddress inUse = (InetSocketAddress) taken.getLocalSocketAddress();
            List<String> expected;
            try (DatagramSocket j = new DatagramSocket(0, LOOPBACK); DatagramSocket unbound = new DatagramSocket(null)) {
                expected = List.of(
                        outcome(() -> j.send(new DatagramPacket(new byte[1], 1))),
                        outcome(() -> j.send(new DatagramPacket(new byte[1], 1, new InetSocketAddress(LOOPBACK, 0)))),
                        outcome(() -> j.send(new DatagramPacket(new byte[70_000], 70_000, inUse))),
                        outcome(() -> j.setSoTimeout(-1)),
                        outcome(() -> j.bind(new InetSocketAddress(LOOPBACK, 0))),
                        outcome(() -> j.connect(InetSocketAddress.createUnresolved("localhost", 80))),
                        outcome(() -> unbound.bind(inUse)),
                        outcome(() -> connectedElsewhere(j, inUse)));
            }
            List<String> got = inFiber(() -> {
                try (FiberDatagramSocket f = bound(); FiberDatagramSocket unbound = FiberDatagramSocket.open(net)) {
                    return List.of(
                            outcome(() -> f.send(new DatagramPacket(new byte[1], 1))),
                            outcome(() -> f.send(new DatagramPacket(new byte[1], 1, new InetSocketAddress(LOOPBACK, 0)))),
                            outcome(() -> f.send(new DatagramPacket(new byte[70_000], 70_000, inUse))),
                            outcome(() -> f.setSoTimeout(-1)),
                            outcome(() -> f.bind(new InetSocketAddress(LOOPBACK, 0))),
                            outcome(() -> f.connect(InetSocketAddress.createUnresolved("localhost", 80))),
                            outcome(() -> unbound.bind(inUse)),
                            outcome(() -> connectedElsewhere(f, inUse)));
                }
            });
            assertEquals(expected, got);
        }
    }

    private static void connectedElsewhere(DatagramSocket j, InetSocketAddress peer) throws IOException {
        j.connect(peer);
        j.send(new DatagramPacket(new byte[1], 1, new InetSocketAddress(LOOPBACK, peer.getPort() == 9 ? 10 : 9)));
    }

    private static void connectedElsewhere(FiberDatagramSocket f, InetSocketAddress peer) throws IOException {
        f.connect(peer);
        f.send(new DatagramPacket(new byte[1], 1, new InetSocketAddress(LOOPBACK, peer.getPort() == 9 ? 10 : 9)));
    }

    @Test
    void badArgumentsAreRejected() throws Exception {
        try (FiberDatagramSocket s = bound()) {
            assertThrows(NullPointerException.class, () -> s.send((DatagramPacket) null));
            assertThrows(NullPointerException.class, () -> s.receive((DatagramPacket) null));
            assertThrows(IllegalArgumentException.class, () -> s.connect(UnixDomainSocketAddress.of("/tmp/x")));
            assertThrows(IllegalArgumentException.class, () -> s.send(ByteBuffer.allocate(1), UnixDomainSocketAddress.of("/tmp/x")));
            assertThrows(java.nio.channels.UnresolvedAddressException.class,
                    () -> s.send(ByteBuffer.allocate(1), InetSocketAddress.createUnresolved("localhost", 9)));
            assertThrows(java.nio.ReadOnlyBufferException.class, () -> s.receive(ByteBuffer.allocate(1).asReadOnlyBuffer()));
            assertEquals("Not a multicast address",
                    assertThrows(SocketException.class, () -> s.joinGroup(LOOPBACK, NetworkInterface.getByIndex(1))).getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------
    // Options, broadcast, multicast
    // ------------------------------------------------------------------------------------------

    @Test
    void optionsSetBeforeTheSocketExistsAreApplied() throws Exception {
        try (FiberDatagramSocket s = FiberDatagramSocket.open(net)) {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true).setOption(StandardSocketOptions.SO_BROADCAST, true);
            assertTrue(s.getOption(StandardSocketOptions.SO_BROADCAST));
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            assertTrue(s.getOption(StandardSocketOptions.SO_REUSEADDR));
            assertTrue(s.getOption(StandardSocketOptions.SO_BROADCAST));
            s.setOption(StandardSocketOptions.SO_BROADCAST, false);
            assertFalse(s.getOption(StandardSocketOptions.SO_BROADCAST));
            s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 7);
            assertEquals(7, s.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
            s.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
            assertFalse(s.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
            s.setOption(StandardSocketOptions.SO_RCVBUF, 100_000);
            assertTrue(s.getOption(StandardSocketOptions.SO_RCVBUF) >= 100_000);
            assertTrue(s.supportedOptions().containsAll(List.of(StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_MULTICAST_IF,
                    StandardSocketOptions.IP_MULTICAST_TTL, StandardSocketOptions.IP_MULTICAST_LOOP, StandardSocketOptions.IP_TOS)));
        }
    }

    @Test
    void broadcastNeedsSoBroadcastAsInJavaNet() throws Exception {
        InetSocketAddress broadcast = new InetSocketAddress(InetAddress.getByName("255.255.255.255"), 9);
        List<String> expected;
        try (DatagramSocket j = new DatagramSocket(0)) {
            j.setBroadcast(false);
            String off = outcome(() -> j.send(new DatagramPacket(new byte[1], 1, broadcast)));
            j.setBroadcast(true);
            expected = List.of(off, outcome(() -> j.send(new DatagramPacket(new byte[1], 1, broadcast))));
        }
        List<String> got = inFiber(() -> {
            try (FiberDatagramSocket f = FiberDatagramSocket.open(net).bind(new InetSocketAddress(0))) {
                f.setOption(StandardSocketOptions.SO_BROADCAST, false);
                String off = outcome(() -> f.send(new DatagramPacket(new byte[1], 1, broadcast)));
                f.setOption(StandardSocketOptions.SO_BROADCAST, true);
                return List.of(off, outcome(() -> f.send(new DatagramPacket(new byte[1], 1, broadcast))));
            }
        });
        assertEquals(expected.get(0).split(" \\(")[0], got.get(0).split(" \\(")[0], "without SO_BROADCAST");
        assertEquals(expected.get(1), got.get(1), "with SO_BROADCAST");
    }

    @Test
    void multicastLoopsBackToAMemberAndLeavingWorks() throws Exception {
        InetAddress group = InetAddress.getByName("239.255.77.91");
        NetworkInterface ni = multicastInterface(group);
        assumeTrue(ni != null, "java.net itself receives no looped-back multicast on any interface here");
        inFiber(() -> {
            try (FiberDatagramSocket m = FiberDatagramSocket.open(net)) {
                m.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                m.bind(new InetSocketAddress(0));
                m.setOption(StandardSocketOptions.IP_MULTICAST_IF, ni);
                assertEquals(ni, m.getOption(StandardSocketOptions.IP_MULTICAST_IF));
                m.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
                m.joinGroup(group, ni);
                m.setSoTimeout(10_000);
                InetSocketAddress to = new InetSocketAddress(group, m.localAddress().getPort());
                m.send(new DatagramPacket(new byte[] {4, 2}, 2, to));
                DatagramPacket p = new DatagramPacket(new byte[8], 8);
                m.receive(p);
                assertEquals(2, p.getLength());
                assertEquals(42, p.getData()[0] * 10 + p.getData()[1]);
                m.leaveGroup(group, ni);
                assertThrows(SocketException.class, () -> m.leaveGroup(group, ni), "not a member any more");
                return null;
            }
        });
    }

    /** An interface on which java.net receives its own multicast datagram, or null. */
    private static NetworkInterface multicastInterface(InetAddress group) throws IOException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.inetAddresses().noneMatch(a -> a instanceof Inet4Address)) {
                continue;
            }
            try (java.net.MulticastSocket m = new java.net.MulticastSocket(0)) {
                m.setNetworkInterface(ni);
                m.joinGroup(new InetSocketAddress(group, 0), ni);
                m.setSoTimeout(2000);
                m.send(new DatagramPacket(new byte[1], 1, group, m.getLocalPort()));
                m.receive(new DatagramPacket(new byte[1], 1));
                return ni;
            } catch (IOException e) {
                // not this one
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    /** A socket bound to an ephemeral loopback port. */
    protected FiberDatagramSocket bound() throws IOException {
        return FiberDatagramSocket.open(net).bind(new InetSocketAddress(LOOPBACK, 0));
    }

    /** A loopback port nobody listens on (bound by java.net and closed again). */
    private static InetSocketAddress closedPort() throws IOException {
        try (DatagramSocket d = new DatagramSocket(0, LOOPBACK)) {
            return (InetSocketAddress) d.getLocalSocketAddress();
        }
    }

    private static boolean javaNetCanBind(InetAddress address) {
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(address, 0))) {
            return d.getLocalPort() != 0;
        } catch (IOException e) {
            return false;
        }
    }

    private <T> SocketSuite.Task<T> fork(TestSchedulers.Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Fiber f = scheduler.spawn(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                error.set(t);
                result.completeExceptionally(t);
            }
        });
        return new SocketSuite.Task<>(f, result, error);
    }

    private <T> T inFiber(TestSchedulers.Callable<T> body) throws Exception {
        return TestSchedulers.inFiber(scheduler, body);
    }

    private static void awaitSuspended(Fiber f) {
        TestSchedulers.awaitCondition(f + " suspended", () -> f.state() == FiberState.SUSPENDED);
    }

    @FunctionalInterface
    private interface VoidCall {
        void run() throws Exception;
    }

    /** What a call did: {@code "returned"} or {@code "SimpleExceptionName: message"}. */
    private static String outcome(VoidCall call) {
        try {
            call.run();
            return "returned";
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
