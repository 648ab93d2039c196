package dev.fiberio.net.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.FiberState;
import dev.fiberio.core.TestSchedulers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link FiberSocketFactory}'s sockets used as plain {@link Socket}s against a {@code java.net}
 * server on loopback, from a fiber and from a plain thread. The server side is the JDK's own socket,
 * so what the client sees is checked against a reference peer.
 */
class FiberSocketFactoryTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Who uses the client socket. */
    enum Caller { FIBER, THREAD }

    private FiberScheduler scheduler;
    private ServerSocket server;
    private final BlockingQueue<Socket> accepted = new ArrayBlockingQueue<>(16);
    private Thread acceptor;
    private final FiberSocketFactory factory = new FiberSocketFactory();

    @BeforeEach
    void start() throws IOException {
        scheduler = TestSchedulers.create(2);
        server = new ServerSocket(0, 50, LOOPBACK);
        acceptor = Thread.ofPlatform().name("acceptor").start(() -> {
            try {
                while (true) {
                    accepted.add(server.accept());
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        acceptor.join();
        for (Socket s : accepted) {
            s.close();
        }
        TestSchedulers.closeChecked(scheduler);
    }

    private <T> T as(Caller caller, TestSchedulers.Callable<T> body) throws Exception {
        return caller == Caller.FIBER ? TestSchedulers.inFiber(scheduler, body) : body.call();
    }

    private Socket peer() throws InterruptedException {
        Socket s = accepted.poll(30, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no connection accepted");
        }
        return s;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @EnumSource(Caller.class)
    void streamsCarryDataBothWaysAndAddressesAreReported(Caller caller) throws Exception {
        as(caller, () -> {
            try (Socket s = factory.createSocket(LOOPBACK, server.getLocalPort())) {
                assertInstanceOf(FiberBackedSocket.class, s);
                assertTrue(s.isConnected());
                assertTrue(s.isBound());
                assertEquals(LOOPBACK, s.getInetAddress());
                assertEquals(server.getLocalPort(), s.getPort());
                Socket p = peer();
                assertEquals(p.getPort(), s.getLocalPort());
                assertEquals(LOOPBACK, s.getLocalAddress());

                s.getOutputStream().write(ascii("ping"));
                byte[] got = p.getInputStream().readNBytes(4);
                assertArrayEquals(ascii("ping"), got);

                p.getOutputStream().write(ascii("pong!"));
                InputStream in = s.getInputStream();
                assertEquals('p', in.read());
                assertArrayEquals(ascii("ong!"), in.readNBytes(4));
                assertEquals(0, in.available());
            }
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(Caller.class)
    void soTimeoutEndsAReadWithSocketTimeoutExceptionAndTheSocketStaysUsable(Caller caller) throws Exception {
        as(caller, () -> {
            try (Socket s = factory.createSocket()) {
                s.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()), 10_000);
                Socket p = peer();
                s.setSoTimeout(100);
                assertEquals(100, s.getSoTimeout());
                assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
                assertFalse(s.isClosed());

                p.getOutputStream().write(7);
                assertEquals(7, s.getInputStream().read());
                s.setSoTimeout(0);
                assertEquals(0, s.getSoTimeout());
            }
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(Caller.class)
    void shutdownOutputSendsEndOfStreamAndKeepsInputOpen(Caller caller) throws Exception {
        as(caller, () -> {
            try (Socket s = factory.createSocket(LOOPBACK.getHostAddress(), server.getLocalPort())) {
                Socket p = peer();
                OutputStream out = s.getOutputStream();
                out.write(ascii("last words"));
                s.shutdownOutput();
                assertTrue(s.isOutputShutdown());
                assertArrayEquals(ascii("last words"), p.getInputStream().readAllBytes()); // ends: EOF seen
                assertThrows(IOException.class, () -> out.write(1));
                assertThrows(SocketException.class, s::getOutputStream);

                p.getOutputStream().write(ascii("reply"));
                p.close();
                assertArrayEquals(ascii("reply"), s.getInputStream().readAllBytes());
            }
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(Caller.class)
    void shutdownInputMakesReadsReturnEndOfStream(Caller caller) throws Exception {
        as(caller, () -> {
            try (Socket s = factory.createSocket(LOOPBACK, server.getLocalPort())) {
                peer();
                InputStream in = s.getInputStream();
                s.shutdownInput();
                assertTrue(s.isInputShutdown());
                assertEquals(-1, in.read());
            }
            return null;
        });
    }

    @ParameterizedTest
    @EnumSource(Caller.class)
    void closeFromAnotherFiberWakesABlockedReadWithSocketException(Caller caller) throws Exception {
        Socket s = factory.createSocket(LOOPBACK, server.getLocalPort());
        // Held until the end: an unreachable peer socket may be closed by its cleaner after a GC, and its
        // end of stream would then answer the read before the close does.
        Socket peer = peer();
        AtomicReference<Throwable> readFailure = new AtomicReference<>();
        Runnable read = () -> {
            try {
                s.getInputStream().read();
            } catch (Throwable t) {
                readFailure.set(t);
            }
        };
        if (caller == Caller.FIBER) {
            Fiber reader = scheduler.spawn(read);
            TestSchedulers.awaitCondition("reader suspended", () -> reader.state() == FiberState.SUSPENDED);
            scheduler.spawn(() -> closeQuietly(s)).join();
            reader.join();
        } else {
            Thread reader = Thread.ofPlatform().start(read);
            TestSchedulers.awaitCondition("reader parked", () -> reader.getState() == Thread.State.WAITING);
            scheduler.spawn(() -> closeQuietly(s)).join();
            reader.join();
        }
        SocketException e = assertInstanceOf(SocketException.class, readFailure.get());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(s.isClosed());
        assertThrows(SocketException.class, s::getInputStream);
        peer.close();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @EnumSource(Caller.class)
    void commonOptionsRoundTrip(Caller caller) throws Exception {
        as(caller, () -> {
            try (Socket s = factory.createSocket(LOOPBACK, server.getLocalPort())) {
                s.setTcpNoDelay(true);
                assertTrue(s.getTcpNoDelay());
                s.setTcpNoDelay(false);
                assertFalse(s.getTcpNoDelay());
                s.setKeepAlive(true);
                assertTrue(s.getKeepAlive());
                s.setSoLinger(true, 3);
                assertEquals(3, s.getSoLinger());
                s.setSoLinger(false, 0);
                assertEquals(-1, s.getSoLinger());
                s.setReceiveBufferSize(64 * 1024);
                assertTrue(s.getReceiveBufferSize() > 0);
                s.setSendBufferSize(64 * 1024);
                assertTrue(s.getSendBufferSize() > 0);
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                assertTrue(s.getOption(StandardSocketOptions.TCP_NODELAY));
                assertTrue(s.supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE));
                assertFalse(s.getOOBInline());
                assertThrows(SocketException.class, () -> s.sendUrgentData(1));
            }
            return null;
        });
    }

    @Test
    void optionsSetBeforeConnectApplyToTheConnection() throws Exception {
        try (Socket s = factory.createSocket()) {
            s.setTcpNoDelay(true);
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            int local = s.getLocalPort();
            s.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()));
            assertEquals(local, s.getLocalPort());
            assertTrue(s.getTcpNoDelay());
            assertEquals(local, peer().getPort());
        }
    }

    @ParameterizedTest
    @EnumSource(Caller.class)
    void refusedConnectThrowsConnectExceptionAndClosesTheSocket(Caller caller) throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, LOOPBACK)) {
            port = gone.getLocalPort();
        }
        as(caller, () -> {
            Socket s = factory.createSocket();
            assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(LOOPBACK, port)));
            assertTrue(s.isClosed());
            assertThrows(ConnectException.class, () -> factory.createSocket(LOOPBACK, port));
            return null;
        });
    }

    @Test
    void aBlockedReadSuspendsTheFiberSoItsOnlyWorkerRunsOthers() throws Exception {
        try (FiberScheduler one = TestSchedulers.create(1);
             Socket s = factory.createSocket(LOOPBACK, server.getLocalPort())) {
            Socket p = peer();
            CompletableFuture<Integer> read = new CompletableFuture<>();
            Fiber reader = one.spawn(() -> {
                try {
                    read.complete(s.getInputStream().read());
                } catch (Throwable t) {
                    read.completeExceptionally(t);
                }
            });
            TestSchedulers.awaitCondition("reader suspended", () -> reader.state() == FiberState.SUSPENDED);
            // The only worker is free: another fiber runs and makes the peer answer.
            Fiber writer = one.spawn(() -> {
                try {
                    p.getOutputStream().write(42);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(writer.join(java.time.Duration.ofSeconds(30)), "the second fiber never ran");
            assertEquals(42, read.get(30, TimeUnit.SECONDS));
            assertEquals(0, one.invariantViolations());
        }
    }

    @Test
    void anUnconnectedSocketHasNoStreamsAndTheFactoryNeedsAProvider() throws Exception {
        try (Socket s = factory.createSocket()) {
            assertThrows(NullPointerException.class, () -> new FiberSocketFactory(null));
            assertFalse(s.isConnected());
            assertThrows(SocketException.class, () -> s.getInputStream());
        }
    }
}
