package dev.fiberio.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberCancelledException;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.FiberState;
import dev.fiberio.core.DumpFibersOnFailure;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.net.spi.NetProvider;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The socket test suite every backend must pass: a backend's test extends this class and returns its
 * provider from {@link #provider()}. Sockets made inside fibers use a fresh 4-worker scheduler per
 * test; sockets made on the test thread use the default scheduler's I/O machinery (warmed up once,
 * so that it does not count as a leak). After each test: no file descriptor leaked (where
 * {@code /proc/self/fd} exists) and the scheduler reports no invariant violation.
 *
 * <p>No test orders threads with sleeps: a test that needs a fiber to be blocked waits until the
 * fiber is observably {@link FiberState#SUSPENDED} (or the thread WAITING); timeouts are asserted by
 * their exception and a lower bound on the elapsed time, never by an upper bound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SocketSuite {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration SHORT = Duration.ofMillis(150);
    /** Connect timeout of the backlog probe: far above any loopback handshake, so only a dropped SYN times out. */
    private static final Duration PROBE = Duration.ofSeconds(1);
    private static final int SMALL_BUFFER = 8 * 1024;
    private static final int BIG = 64 << 20;

    /** The per-test scheduler. */
    protected FiberScheduler scheduler;
    /** Prints this test's fibers if it fails or times out. */
    @RegisterExtension
    final DumpFibersOnFailure fiberDump = new DumpFibersOnFailure(() -> scheduler);
    /** The provider under test, wrapped to count handle calls; a fresh one per test. */
    protected CountingProvider net;
    private int fdsBefore;

    /**
     * The backend under test.
     *
     * @return its provider
     */
    protected abstract NetProvider provider();

    /**
     * Opens, connects and closes a socket pair on the test thread once, so that the I/O machinery of
     * the default scheduler (used by plain threads, and living as long as the JVM) exists before the
     * first descriptor count.
     *
     * @throws IOException on failure
     */
    @BeforeAll
    void warmUpPlainThreadMachinery() throws Exception {
        net = new CountingProvider(provider());
        try (Conn c = pair()) {
            c.client().write(new byte[] {42});
            assertEquals(42, c.server().getInputStream().read());
        }
        // The JDK keeps one descriptor open for the JVM's life after its first java.net.ServerSocket
        // (used by hasLoopback): open one now so no test's count includes it.
        hasLoopback(InetAddress.getLoopbackAddress());
        // The JDK's poller for virtual threads' sockets also lives as long as the JVM.
        interruptAVirtualThreadBlockedInAJavaNetRead();
    }

    @BeforeEach
    void setUp() {
        fdsBefore = FdCount.count();
        scheduler = TestSchedulers.create(4);
        net = new CountingProvider(provider());
    }

    @AfterEach
    void tearDown() {
        TestSchedulers.closeChecked(scheduler);
        FdCount.assertNoLeak(fdsBefore);
    }

    // ------------------------------------------------------------------------------------------
    // Connect, accept, echo
    // ------------------------------------------------------------------------------------------

    @Test
    void connectsAndAcceptsOnAnEphemeralPort() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            SocketAddress listening = c.listener().localSocketAddress();
            if (!unixDomain()) {
                assertNotEquals(0, c.listener().localAddress().getPort());
            }
            assertTrue(c.client().isConnected());
            assertTrue(c.server().isConnected());
            assertEquals(listening, c.client().remoteSocketAddress());
            assertEquals(c.client().localSocketAddress(), c.server().remoteSocketAddress());
            assertEquals(c.server().localSocketAddress(), c.client().remoteSocketAddress());
            assertEquals(provider().name(), c.client().provider().name());
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 1000, 65_536, 1 << 20, BIG})
    void echoesEveryByte(int size) throws Exception {
        byte[] data = pattern(size, size);
        byte[] back = inFiber(() -> {
            try (Conn c = pair()) {
                Task<Long> echo = echo(c.server());
                Task<Void> writer = fork(() -> {
                    c.client().write(data);
                    c.client().shutdownOutput();
                    return null;
                });
                byte[] got = readToEnd(c.client(), size);
                writer.get();
                assertEquals(size, echo.get());
                return got;
            }
        });
        assertArrayEquals(data, back);
    }

    @Test
    void echoesNativeAndHeapSegmentsAndDirectBuffers() throws Exception {
        // Larger than an AF_UNIX send buffer (208 KiB by default), so the client reads in another fiber
        // while it writes, as any echo client must: a writer that filled its send buffer is woken only
        // once the peer drained it to a quarter (unix_writable), and an echo server blocked writing back
        // to a client that is not reading never drains it, on every backend and in java.net too.
        int size = 300_000;
        byte[] data = pattern(size, 7);
        inFiber(() -> {
            try (Conn c = pair(); Arena arena = Arena.ofShared()) {
                Task<Long> echo = echo(c.server());
                MemorySegment out = arena.allocate(size);
                MemorySegment.copy(data, 0, out, ValueLayout.JAVA_BYTE, 0, size);
                MemorySegment in = arena.allocate(size);
                Task<Void> reading = fork(() -> {
                    c.client().readFully(in);
                    return null;
                });
                c.client().write(out);
                reading.get();
                assertArrayEquals(data, in.toArray(ValueLayout.JAVA_BYTE));

                byte[] heap = new byte[size];
                reading = fork(() -> {
                    c.client().readFully(MemorySegment.ofArray(heap));
                    return null;
                });
                c.client().write(MemorySegment.ofArray(data));
                reading.get();
                assertArrayEquals(data, heap);

                ByteBuffer direct = ByteBuffer.allocateDirect(size).put(data).flip();
                ByteBuffer back = ByteBuffer.allocateDirect(size);
                reading = fork(() -> {
                    c.client().readFully(back);
                    return null;
                });
                assertEquals(size, c.client().write(direct));
                assertEquals(size, direct.position());
                reading.get();
                assertEquals(size, back.position());
                assertEquals(ByteBuffer.wrap(data), back.flip());

                c.client().shutdownOutput();
                assertEquals(-1, c.client().read(new byte[1], 0, 1));
                assertEquals(3L * size, echo.get());
            }
            return null;
        });
    }

    @Test
    void writesEverythingThroughPartialWritesWithATinySendBuffer() throws Exception {
        int size = 4 << 20;
        byte[] data = pattern(size, 3);
        CountingProvider capped = new CountingProvider(provider(), 100_000); // partial even where the backend is not
        inFiber(() -> {
            try (FiberServerSocket listener = listen(SMALL_BUFFER)) {
                FiberSocket client = FiberSocket.open(capped).setOption(StandardSocketOptions.SO_SNDBUF, SMALL_BUFFER);
                client.connect(listener.localSocketAddress());
                try (client; FiberSocket server = listener.accept()) {
                    Task<Void> writer = fork(() -> {
                        client.write(data); // one call; the backend takes a little at a time
                        client.close();
                        return null;
                    });
                    byte[] got = readToEnd(server, size);
                    writer.get();
                    assertArrayEquals(data, got);
                }
            }
            return null;
        });
        assertTrue(capped.partialWrites() >= size / 100_000, "partial writes: " + capped.partialWrites());
    }

    @Test
    void oneReaderAndOneWriterRunFullDuplex() throws Exception {
        int size = 16 << 20;
        byte[] data = pattern(size, 11);
        inFiber(() -> {
            try (FiberServerSocket listener = listen(SMALL_BUFFER)) {
                FiberSocket client = FiberSocket.open(net).setOption(StandardSocketOptions.SO_SNDBUF, SMALL_BUFFER)
                        .setOption(StandardSocketOptions.SO_RCVBUF, SMALL_BUFFER);
                client.connect(listener.localSocketAddress());
                try (client; FiberSocket server = listener.accept()) {
                    Task<Long> echo = echo(server);
                    // The writer blocks on full buffers until the reader drains the echo: a socket that
                    // served only one direction at a time would deadlock here.
                    Task<Void> writer = fork(() -> {
                        client.write(data);
                        client.shutdownOutput();
                        return null;
                    });
                    Task<byte[]> reader = fork(() -> readToEnd(client, size));
                    assertArrayEquals(data, reader.get());
                    writer.get();
                    assertEquals(size, echo.get());
                }
            }
            return null;
        });
    }

    @Test
    void concurrentReadersAreSerialized() throws Exception {
        int records = 400;
        int recordSize = 1000;
        try (Conn c = inFiber(this::pair)) {
            List<Task<List<Integer>>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(fork(() -> {
                    List<Integer> seen = new ArrayList<>();
                    byte[] record = new byte[recordSize];
                    for (;;) {
                        try {
                            c.client().readFully(record, 0, recordSize);
                        } catch (EOFException end) {
                            return seen;
                        }
                        for (byte b : record) {
                            assertEquals(record[0], b, "a record was torn between two readers");
                        }
                        seen.add(record[0] & 0xff);
                    }
                }));
            }
            for (Task<?> t : readers) {
                awaitSuspended(t.fiber()); // one waits for data, the other for the first to finish
            }
            Task<Void> writer = fork(() -> {
                for (int i = 0; i < records; i++) {
                    byte[] record = new byte[recordSize];
                    Arrays.fill(record, (byte) (i % 200));
                    c.server().write(record);
                }
                c.server().shutdownOutput();
                return null;
            });
            writer.get();
            int[] counts = new int[200];
            int total = 0;
            for (Task<List<Integer>> t : readers) {
                for (int id : t.get()) {
                    counts[id]++;
                    total++;
                }
            }
            assertEquals(records, total, "records read in all");
            for (int id = 0; id < 200; id++) {
                assertEquals(records / 200, counts[id], "copies of record " + id);
            }
        }
    }

    @Test
    void thousandConcurrentConnectionsEachEcho() throws Exception {
        int clients = 1000;
        int size = 2000;
        inFiber(() -> {
            try (FiberServerSocket listener = FiberServerSocket.open(net).bind(listenAddress(), clients)) {
                SocketAddress address = listener.localSocketAddress();
                Task<Void> acceptor = fork(() -> {
                    for (int i = 0; i < clients; i++) {
                        FiberSocket s = listener.accept();
                        fork(() -> {
                            try (s) {
                                return echoLoop(s);
                            }
                        });
                    }
                    return null;
                });
                List<Task<Boolean>> tasks = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    byte[] data = pattern(size, i);
                    tasks.add(fork(() -> {
                        try (FiberSocket s = FiberSocket.open(net)) {
                            s.connect(address);
                            s.write(data);
                            s.shutdownOutput();
                            return Arrays.equals(data, readToEnd(s, size));
                        }
                    }));
                }
                int ok = 0;
                for (Task<Boolean> t : tasks) {
                    ok += t.get() ? 1 : 0;
                }
                acceptor.get();
                assertEquals(clients, ok, "connections that echoed every byte");
            }
            return null;
        });
    }

    @Test
    void ipv6Loopback() throws Exception {
        assumeInternet("IPv6");
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(hasLoopback(v6), "this machine has no IPv6 loopback");
        byte[] data = pattern(100_000, 6);
        inFiber(() -> {
            try (FiberServerSocket listener = FiberServerSocket.open(net).bind(new InetSocketAddress(v6, 0));
                    FiberSocket client = FiberSocket.open(net)) {
                client.connect(listener.localSocketAddress());
                try (FiberSocket server = listener.accept()) {
                    assertInstanceOf(Inet6Address.class, client.localAddress().getAddress());
                    assertEquals(listener.localAddress(), client.remoteAddress());
                    Task<Long> echo = echo(server);
                    client.write(data);
                    client.shutdownOutput();
                    assertArrayEquals(data, readToEnd(client, data.length));
                    assertEquals(data.length, echo.get());
                }
            }
            return null;
        });
    }

    @Test
    void connectsToAnUnresolvedHostName() throws Exception {
        assumeInternet("host names");
        inFiber(() -> {
            try (FiberServerSocket listener = listen(); FiberSocket client = FiberSocket.open(net)) {
                client.connect(InetSocketAddress.createUnresolved("localhost", listener.localAddress().getPort()), Duration.ofSeconds(30));
                try (FiberSocket server = listener.accept()) {
                    client.write(new byte[] {5});
                    assertEquals(5, server.getInputStream().read());
                }
            }
            return null;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Half-close and reset
    // ------------------------------------------------------------------------------------------

    @Test
    void halfClosesBothWays() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            c.client().write(bytes("ping"));
            c.client().shutdownOutput();
            assertTrue(c.client().isOutputShutdown());
            assertEquals("ping", ascii(readToEnd(c.server(), 4)));
            assertEquals(-1, c.server().read(new byte[1], 0, 1), "EOF again");

            c.server().write(bytes("pong")); // the other direction still works
            c.server().shutdownOutput();
            assertEquals("pong", ascii(readToEnd(c.client(), 4)));

            SocketException e = assertThrows(SocketException.class, () -> c.client().write(bytes("x")));
            assertEquals("Broken pipe", e.getMessage()); // java.net's, see writeAfterShutdownOutputAsJavaNet
        }
        try (Conn c = inFiber(this::pair)) {
            c.server().shutdownInput();
            assertTrue(c.server().isInputShutdown());
            assertEquals(-1, c.server().read(ByteBuffer.allocate(8)));
            c.server().write(bytes("still"));
            assertEquals("still", ascii(readN(c.client(), 5)));
        }
    }

    /**
     * java.net: once {@code write} returned, the bytes are the system's to deliver; a close right after
     * still delivers every one of them before the end of stream. Many writes, the last just before the
     * close, with the peer reading all the while.
     */
    @Test
    void everyByteWrittenBeforeCloseArrivesThenEndOfStream() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            writeThenEnd(c, c.server()::close);
        }
    }

    /**
     * As {@link #everyByteWrittenBeforeCloseArrivesThenEndOfStream}, but for a half-close: the end of stream
     * the peer reads comes after every byte written before {@code shutdownOutput}, and the other direction
     * still works afterwards.
     */
    @Test
    void everyByteWrittenBeforeShutdownOutputArrivesThenEndOfStream() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            writeThenEnd(c, c.server()::shutdownOutput);
            inFiber(run(() -> c.client().write(bytes("back"))));
            assertEquals("back", ascii(inFiber(() -> readN(c.server(), 4))));
        }
    }

    /**
     * java.net: a write racing {@code shutdownOutput} either lands before the FIN or fails ("Broken pipe");
     * it never returns for bytes the peer then does not get, and the race is no misuse of the socket. Here
     * the shutdown comes while earlier bytes wait for the peer to read (the peer's window is full), and a
     * write comes while the shutdown may still be waiting for them.
     */
    @Test
    void aWriteRacingShutdownOutputLandsBeforeTheFinOrFails() throws Exception {
        try (Conn c = inFiber(() -> pair(SMALL_BUFFER))) {
            byte[] zeros = new byte[64 * 1024];
            c.client().setWriteTimeout(SHORT);
            inFiber(() -> assertThrows(SocketTimeoutException.class, () -> {
                for (int i = 0; i < 10_000; i++) {
                    c.client().write(zeros);
                }
            }));
            c.client().setWriteTimeout(Duration.ZERO);
            Task<Void> shutdown = fork(() -> {
                c.client().shutdownOutput();
                return null;
            });
            TestSchedulers.awaitCondition("the shutdown returned or waits",
                    () -> shutdown.result().isDone() || shutdown.fiber().state() == FiberState.SUSPENDED);
            Task<Integer> racing = fork(() -> {
                c.client().write(bytes("LAST"));
                return 4;
            });
            TestSchedulers.awaitCondition("the racing write returned or waits",
                    () -> racing.result().isDone() || racing.fiber().state() == FiberState.SUSPENDED);
            byte[] all = inFiber(() -> c.server().getInputStream().readAllBytes()); // until the FIN
            shutdown.get();
            boolean landed;
            try {
                landed = racing.get() == 4;
            } catch (SocketException failed) {
                landed = false;
            }
            String tail = ascii(Arrays.copyOfRange(all, Math.max(0, all.length - 4), all.length));
            assertEquals(landed, tail.equals("LAST"), "the racing write " + (landed ? "returned" : "failed")
                    + "; the stream ends with " + tail);
        }
    }

    /** The server writes 1 MiB in many writes, then {@code end}s its output; the client reads it all, then EOF. */
    private void writeThenEnd(Conn c, VoidCall end) throws Exception {
        int size = 1 << 20;
        byte[] data = pattern(size, 21);
        Task<byte[]> received = fork(() -> readToEnd(c.client(), size));
        inFiber(run(() -> {
            for (int off = 0; off < size; off += 50_000) {
                c.server().write(data, off, Math.min(50_000, size - off));
            }
            end.run();
        }));
        assertArrayEquals(data, received.get());
    }

    @Test
    void peerResetGivesConnectionReset() throws Exception {
        assumeInternet("SO_LINGER 0 resets a TCP connection; an AF_UNIX peer reads end of stream");
        try (Conn c = inFiber(this::pair)) {
            c.server().setOption(StandardSocketOptions.SO_LINGER, 0);
            c.server().close(); // SO_LINGER 0: the peer sends RST, not FIN
            Task<Integer> reader = fork(() -> c.client().read(new byte[16], 0, 16));
            SocketException e = reader.failure(SocketException.class);
            assertEquals("Connection reset", e.getMessage());
        }
    }

    /** After a reset every later read throws "Connection reset" again: a reset never looks like EOF. */
    @Test
    void aResetStaysAResetOnEveryLaterReadAsInJavaNet() throws Exception {
        assumeInternet("a differential check against java.net.Socket over TCP");
        List<String> expected;
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK);
             java.net.Socket client = new java.net.Socket(LOOPBACK, listener.getLocalPort());
             java.net.Socket server = listener.accept()) {
            server.setSoLinger(true, 0);
            server.close();
            InputStream in = client.getInputStream();
            expected = List.of(outcome(() -> in.read(new byte[16])), outcome(() -> in.read(new byte[16])),
                    outcome(() -> in.read(new byte[16], 0, 0)), outcome(() -> in.read(new byte[16])));
        }
        assertEquals(List.of("SocketException: Connection reset", "SocketException: Connection reset", "returned 0",
                "SocketException: Connection reset"), expected, "java.net on JDK " + Runtime.version());
        try (Conn c = inFiber(this::pair)) {
            c.server().setOption(StandardSocketOptions.SO_LINGER, 0);
            c.server().close();
            FiberSocket s = c.client();
            List<String> actual = inFiber(() -> List.of(outcome(() -> s.read(new byte[16], 0, 16)),
                    outcome(() -> s.read(new byte[16], 0, 16)), outcome(() -> s.read(new byte[16], 0, 0)),
                    outcome(() -> s.getInputStream().read())));
            assertEquals(expected, actual);
            assertTrue(s.isOpen(), "a reset does not close the socket");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Timeouts
    // ------------------------------------------------------------------------------------------

    @Test
    void readTimesOutAndTheSocketStaysUsable() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            c.client().setReadTimeout(SHORT);
            assertEquals(SHORT, c.client().getReadTimeout());
            long start = System.nanoTime();
            Task<Integer> reader = fork(() -> c.client().read(new byte[4], 0, 4));
            SocketTimeoutException e = reader.failure(SocketTimeoutException.class);
            assertEquals("Read timed out", e.getMessage());
            assertElapsedAtLeast(start, SHORT);
            assertTrue(c.client().isOpen());
            c.server().write(bytes("late"));
            assertEquals("late", ascii(readN(c.client(), 4)));
        }
    }

    @Test
    void writeTimesOutWhenThePeerNeverReads() throws Exception {
        byte[] big = new byte[BIG];
        try (Conn c = inFiber(() -> pair(SMALL_BUFFER))) {
            c.client().setWriteTimeout(SHORT);
            long start = System.nanoTime();
            Task<Void> writer = fork(() -> {
                c.client().write(big);
                return null;
            });
            SocketTimeoutException e = writer.failure(SocketTimeoutException.class);
            assertEquals("Write timed out", e.getMessage());
            assertElapsedAtLeast(start, SHORT);
            // Some bytes fit into the socket buffers, but how many depends on the backend (an IOCP send
            // may be cancelled whole): only the upper bound is common to all.
            assertTrue(e.bytesTransferred >= 0 && e.bytesTransferred < big.length, "bytesTransferred " + e.bytesTransferred);
            assertTrue(c.client().isOpen());
        }
    }

    @Test
    void acceptTimesOutAndTheListenerStaysUsable() throws Exception {
        inFiber(() -> {
            try (FiberServerSocket listener = listen()) {
                long start = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> listener.accept(SHORT));
                assertEquals("Accept timed out", e.getMessage());
                assertElapsedAtLeast(start, SHORT);
                listener.setAcceptTimeout(SHORT);
                assertThrows(SocketTimeoutException.class, listener::accept);
                try (FiberSocket client = FiberSocket.open(net)) {
                    client.connect(listener.localSocketAddress());
                    listener.accept().close();
                }
            }
            return null;
        });
    }

    @Test
    void connectTimesOutWhenTheListenersBacklogIsFull() throws Exception {
        assumeInternet("a SYN backlog");
        inFiber(() -> {
            List<FiberSocket> fillers = new ArrayList<>();
            try (FiberServerSocket listener = FiberServerSocket.open(net).bind(new InetSocketAddress(LOOPBACK, 0), 1)) {
                FiberSocket probe = fillBacklog(listener, fillers);
                assertFalse(probe.isOpen(), "a failed connect closes the socket");
                assertFalse(probe.isConnected());
            } finally {
                closeAll(fillers);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Close wakes blocked callers
    // ------------------------------------------------------------------------------------------

    @Test
    void closeWakesABlockedReader() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            Task<Integer> reader = fork(() -> c.client().read(new byte[8], 0, 8));
            awaitSuspended(reader.fiber());
            c.client().close();
            assertSocketClosed(reader.failure(SocketException.class));
        }
    }

    @Test
    void closeWakesABlockedWriter() throws Exception {
        try (Conn c = inFiber(() -> pair(SMALL_BUFFER))) {
            Task<Void> writer = fork(() -> {
                c.client().write(new byte[BIG]);
                return null;
            });
            awaitSuspended(writer.fiber());
            c.client().close();
            assertSocketClosed(writer.failure(SocketException.class));
        }
    }

    @Test
    void closeWakesABlockedAcceptor() throws Exception {
        FiberServerSocket listener = inFiber(this::listen);
        Task<FiberSocket> acceptor = fork(listener::accept);
        awaitSuspended(acceptor.fiber());
        listener.close();
        assertSocketClosed(acceptor.failure(SocketException.class));
    }

    @Test
    void closeWakesABlockedConnector() throws Exception {
        assumeInternet("a connect that stays pending needs a SYN backlog (AF_UNIX answers EAGAIN)");
        List<FiberSocket> fillers = new ArrayList<>();
        try (FiberServerSocket listener = inFiber(() -> FiberServerSocket.open(net).bind(new InetSocketAddress(LOOPBACK, 0), 1))) {
            inFiber(() -> fillBacklog(listener, fillers));
            FiberSocket socket = FiberSocket.open(net);
            Task<Void> connector = fork(() -> {
                socket.connect(listener.localAddress());
                return null;
            });
            awaitSuspended(connector.fiber());
            socket.close();
            assertSocketClosed(connector.failure(SocketException.class));
        } finally {
            closeAll(fillers);
        }
    }

    @Test
    void closeWakesAReaderBlockedOnAPlainThread() throws Exception {
        try (Conn c = pair()) {
            Throwable failure = whileAThreadIsBlockedReading(c.client(), reader -> c.client().close());
            assertSocketClosed(assertInstanceOf(SocketException.class, failure));
        }
    }

    /**
     * The model: java.net on a virtual thread interrupted while blocked in a read closes the socket and
     * throws "Closed by interrupt"; the thread stays interrupted.
     */
    @Test
    void javaNetClosesTheSocketOfAnInterruptedVirtualThread() throws Exception {
        interruptAVirtualThreadBlockedInAJavaNetRead();
    }

    private static void interruptAVirtualThreadBlockedInAJavaNetRead() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK);
             java.net.Socket client = new java.net.Socket(LOOPBACK, listener.getLocalPort());
             java.net.Socket server = listener.accept()) {
            CompletableFuture<String> result = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                String what = outcome(() -> client.getInputStream().read());
                result.complete(what + ", interrupted " + Thread.currentThread().isInterrupted());
            });
            TestSchedulers.awaitCondition("virtual thread blocked in read", () -> reader.getState() == Thread.State.WAITING);
            reader.interrupt();
            assertEquals("SocketException: Closed by interrupt, interrupted true", result.get(30, TimeUnit.SECONDS));
            assertTrue(client.isClosed());
        }
    }

    @Test
    void cancellingABlockedReaderClosesTheSocketWithClosedByInterrupt() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            Task<String> reader = fork(() -> {
                SocketException e = assertThrows(SocketException.class, () -> c.client().read(new byte[8], 0, 8));
                assertInstanceOf(FiberCancelledException.class, e.getCause());
                // still cancelled: the next suspension outside socket I/O says so
                assertThrows(FiberCancelledException.class, () -> Fiber.sleep(Duration.ofSeconds(30)));
                return e.getMessage();
            });
            awaitSuspended(reader.fiber());
            reader.fiber().cancel();
            assertEquals("Closed by interrupt", reader.get());
            assertFalse(c.client().isOpen(), "the socket is closed");
            assertSocketClosed(assertThrows(SocketException.class, () -> c.client().read(new byte[1], 0, 1)));
            assertEquals(-1, c.server().getInputStream().read(), "the peer sees the connection end");
        }
    }

    @Test
    void cancellingABlockedWriterClosesTheSocketWithClosedByInterrupt() throws Exception {
        try (Conn c = inFiber(() -> pair(SMALL_BUFFER))) {
            Task<Void> writer = fork(() -> {
                c.client().write(new byte[BIG]);
                return null;
            });
            awaitSuspended(writer.fiber());
            writer.fiber().cancel();
            SocketException e = writer.failure(SocketException.class);
            assertEquals("Closed by interrupt", e.getMessage());
            assertInstanceOf(FiberCancelledException.class, e.getCause());
            assertFalse(c.client().isOpen());
        }
    }

    @Test
    void cancellingABlockedAcceptorClosesTheServerSocketWithClosedByInterrupt() throws Exception {
        try (FiberServerSocket listener = inFiber(this::listen)) {
            Task<FiberSocket> acceptor = fork(listener::accept);
            awaitSuspended(acceptor.fiber());
            acceptor.fiber().cancel();
            SocketException e = acceptor.failure(SocketException.class);
            assertEquals("Closed by interrupt", e.getMessage());
            assertInstanceOf(FiberCancelledException.class, e.getCause());
            assertFalse(listener.isOpen(), "the server socket is closed");
        }
    }

    @Test
    void cancellingABlockedConnectorClosesTheSocketWithClosedByInterrupt() throws Exception {
        assumeInternet("a connect that stays pending needs a SYN backlog (AF_UNIX answers EAGAIN)");
        List<FiberSocket> fillers = new ArrayList<>();
        try (FiberServerSocket listener = inFiber(() -> FiberServerSocket.open(net).bind(new InetSocketAddress(LOOPBACK, 0), 1))) {
            inFiber(() -> fillBacklog(listener, fillers));
            FiberSocket socket = FiberSocket.open(net);
            Task<Void> connector = fork(() -> {
                socket.connect(listener.localAddress());
                return null;
            });
            awaitSuspended(connector.fiber());
            connector.fiber().cancel();
            SocketException e = connector.failure(SocketException.class);
            assertEquals("Closed by interrupt", e.getMessage());
            assertInstanceOf(FiberCancelledException.class, e.getCause());
            assertFalse(socket.isOpen());
            assertFalse(socket.isConnected());
        } finally {
            closeAll(fillers);
        }
    }

    @Test
    void interruptingAThreadBlockedInReadClosesTheSocketAsForAVirtualThread() throws Exception {
        try (Conn c = pair()) {
            Throwable failure = whileAThreadIsBlockedReading(c.client(), Thread::interrupt);
            SocketException e = assertInstanceOf(SocketException.class, failure);
            assertEquals("Closed by interrupt", e.getMessage());
            assertFalse(c.client().isOpen());
        }
    }

    // ------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------

    @Test
    void refusedConnectThrowsConnectExceptionAndClosesTheSocket() throws Exception {
        inFiber(() -> {
            SocketAddress gone;
            try (FiberServerSocket listener = listen()) {
                gone = listener.localSocketAddress();
            }
            FiberSocket client = FiberSocket.open(net);
            assertThrows(ConnectException.class, () -> client.connect(gone));
            assertFalse(client.isOpen());
            assertFalse(client.isConnected());
            return null;
        });
    }

    @Test
    void refusedConnectAndAddressInUseSayWhatJavaNetSays() throws Exception {
        assumeInternet("a differential check against java.net.Socket over TCP");
        InetSocketAddress gone;
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK)) {
            gone = (InetSocketAddress) listener.getLocalSocketAddress();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress inUse = (InetSocketAddress) taken.getLocalSocketAddress();
            List<String> expected = List.of(
                    outcome(() -> {
                        try (java.net.Socket s = new java.net.Socket()) {
                            s.connect(gone);
                        }
                        return null;
                    }),
                    outcome(() -> {
                        try (ServerSocket s = new ServerSocket()) {
                            s.bind(inUse);
                        }
                        return null;
                    }),
                    outcome(() -> {
                        try (java.net.Socket s = new java.net.Socket()) {
                            s.bind(inUse);
                        }
                        return null;
                    }));
            assertEquals(List.of("ConnectException: Connection refused", "BindException: Address already in use",
                    "BindException: Address already in use"), expected, "java.net on JDK " + Runtime.version());
            // The port in use is taken through the backend under test (a fake backend has ports of its own).
            List<String> actual = inFiber(() -> {
                try (FiberServerSocket takenHere = listen()) {
                    InetSocketAddress inUseHere = takenHere.localAddress();
                    return List.of(
                            outcome(() -> {
                                try (FiberSocket s = FiberSocket.open(net)) {
                                    s.connect(gone);
                                }
                                return null;
                            }),
                            outcome(() -> {
                                try (FiberServerSocket s = FiberServerSocket.open(net)) {
                                    s.bind(inUseHere);
                                }
                                return null;
                            }),
                            outcome(() -> {
                                try (FiberSocket s = FiberSocket.open(net)) {
                                    s.bind(inUseHere);
                                }
                                return null;
                            }));
                }
            });
            assertEquals(expected, actual);
        }
    }

    /**
     * Every use of a closed socket, on java.net and here: reads and writes say "Socket closed" (zero
     * bytes return at once), the other calls "Socket is closed".
     */
    @Test
    void usesOfAClosedSocketSayWhatJavaNetSays() throws Exception {
        assumeInternet("a differential check against java.net.Socket over TCP");
        List<String> expected;
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK);
             java.net.Socket s = new java.net.Socket(LOOPBACK, listener.getLocalPort());
             java.net.Socket peer = listener.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            s.close();
            java.net.Socket fresh = new java.net.Socket();
            fresh.close();
            listener.close();
            byte[] b = new byte[4];
            expected = List.of(outcome(() -> in.read(b, 0, 4)), outcome(() -> in.read(b, 0, 0)),
                    outcome(run(() -> out.write(b, 0, 4))), outcome(run(() -> out.write(b, 0, 0))),
                    outcome(run(s::shutdownInput)), outcome(run(s::shutdownOutput)),
                    outcome(() -> s.setOption(StandardSocketOptions.TCP_NODELAY, true)),
                    outcome(() -> s.getOption(StandardSocketOptions.TCP_NODELAY)),
                    outcome(run(() -> s.connect(peer.getLocalSocketAddress()))),
                    outcome(run(() -> fresh.connect(peer.getLocalSocketAddress()))),
                    outcome(run(() -> fresh.bind(null))),
                    outcome(listener::accept), outcome(run(() -> listener.bind(null))),
                    outcome(() -> listener.setOption(StandardSocketOptions.SO_RCVBUF, 4096)));
        }
        String closed = "SocketException: Socket closed";
        String isClosed = "SocketException: Socket is closed";
        assertEquals(List.of(closed, "returned 0", closed, "returned null", isClosed, isClosed, isClosed, isClosed,
                isClosed, isClosed, isClosed, isClosed, isClosed, isClosed), expected, "java.net on JDK " + Runtime.version());
        try (Conn c = inFiber(this::pair)) {
            FiberSocket s = c.client();
            s.close();
            s.close(); // idempotent
            assertFalse(s.isOpen());
            FiberSocket fresh = FiberSocket.open(net);
            fresh.close();
            FiberServerSocket listener = c.listener();
            listener.close();
            byte[] b = new byte[4];
            List<String> actual = inFiber(() -> List.of(outcome(() -> s.read(b, 0, 4)), outcome(() -> s.read(b, 0, 0)),
                    outcome(run(() -> s.write(b, 0, 4))), outcome(run(() -> s.write(b, 0, 0))),
                    outcome(run(s::shutdownInput)), outcome(run(s::shutdownOutput)),
                    outcome(run(() -> s.setOption(StandardSocketOptions.TCP_NODELAY, true))),
                    outcome(() -> s.getOption(StandardSocketOptions.TCP_NODELAY)),
                    outcome(run(() -> s.connect(c.server().localAddress()))),
                    outcome(run(() -> fresh.connect(c.server().localAddress()))),
                    outcome(run(() -> fresh.bind(null))),
                    outcome(listener::accept), outcome(run(() -> listener.bind(null))),
                    outcome(run(() -> listener.setOption(StandardSocketOptions.SO_RCVBUF, 4096)))));
            // java.net's setOption returns the socket: compare the exception only
            assertEquals(expected, actual);
            // the other ways in, all "Socket closed" as the streams and channels of java.net say
            List<Executable> io = List.of(() -> s.read(ByteBuffer.allocate(4)), () -> s.readFully(b, 0, 4),
                    () -> s.write(b), () -> s.write(ByteBuffer.wrap(b)), () -> s.getOutputStream().write(1),
                    () -> s.getInputStream().read());
            for (Executable use : io) {
                assertSocketClosed(assertThrows(SocketException.class, use));
            }
            assertEquals(0, s.read(ByteBuffer.allocate(0)));
        }
    }

    @Test
    void writeAfterShutdownOutputSaysWhatJavaNetSays() throws Exception {
        assumeInternet("a differential check against java.net.Socket over TCP");
        List<String> expected;
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK);
             java.net.Socket s = new java.net.Socket(LOOPBACK, listener.getLocalPort());
             java.net.Socket peer = listener.accept()) {
            OutputStream out = s.getOutputStream();
            s.shutdownOutput();
            expected = List.of(outcome(run(() -> out.write(new byte[4]))), outcome(run(() -> out.write(new byte[4], 0, 0))),
                    outcome(() -> peer.getInputStream().read()));
        }
        assertEquals(List.of("SocketException: Broken pipe", "returned null", "returned -1"), expected,
                "java.net on JDK " + Runtime.version());
        try (Conn c = inFiber(this::pair)) {
            FiberSocket s = c.client();
            s.shutdownOutput();
            List<String> actual = inFiber(() -> List.of(outcome(run(() -> s.write(new byte[4]))),
                    outcome(run(() -> s.write(new byte[4], 0, 0))), outcome(() -> c.server().getInputStream().read())));
            assertEquals(expected, actual);
            assertTrue(s.isOpen());
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyIo() throws Exception {
        try (Conn c = inFiber(this::pair); Arena arena = Arena.ofShared()) {
            FiberSocket s = c.client();
            byte[] b = new byte[10];
            long before = net.handleCalls();
            assertThrows(NullPointerException.class, () -> s.read((byte[]) null, 0, 1));
            assertThrows(NullPointerException.class, () -> s.read((ByteBuffer) null));
            assertThrows(NullPointerException.class, () -> s.read((MemorySegment) null));
            assertThrows(NullPointerException.class, () -> s.write((byte[]) null));
            assertThrows(NullPointerException.class, () -> s.write((ByteBuffer) null));
            assertThrows(NullPointerException.class, () -> s.write((MemorySegment) null));
            assertThrows(IndexOutOfBoundsException.class, () -> s.read(b, -1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> s.read(b, 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> s.read(b, 5, 6));
            assertThrows(IndexOutOfBoundsException.class, () -> s.readFully(b, 11, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> s.write(b, -1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> s.write(b, 0, 11));
            assertThrows(IndexOutOfBoundsException.class, () -> s.write(b, Integer.MAX_VALUE, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> s.getInputStream().read(b, 3, 8));
            assertThrows(ReadOnlyBufferException.class, () -> s.read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
            assertThrows(ReadOnlyBufferException.class, () -> s.read(arena.allocate(4).asReadOnly()));
            assertThrows(ReadOnlyBufferException.class, () -> s.readFully(ByteBuffer.allocateDirect(4).asReadOnlyBuffer()));
            assertThrows(IllegalArgumentException.class, () -> s.setReadTimeout(Duration.ofMillis(-1)));
            assertThrows(NullPointerException.class, () -> s.setWriteTimeout(null));
            assertThrows(NullPointerException.class, () -> s.setOption(null, 1));
            assertThrows(NullPointerException.class, () -> s.setOption(StandardSocketOptions.SO_RCVBUF, null));
            assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.SO_SNDBUF, 0));
            assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.SO_RCVBUF, -5));
            assertEquals(before, net.handleCalls(), "a bad argument reached the backend");
            assertEquals(0, s.read(b, 3, 0), "an empty read reads nothing");
            s.write(b, 10, 0);
            assertEquals(before, net.handleCalls(), "an empty read or write reached the backend");
        }
    }

    @Test
    void segmentsOfAClosedArenaAreRejectedBeforeAnyIo() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            Arena arena = Arena.ofShared();
            MemorySegment segment = arena.allocate(16);
            ByteBuffer buffer = segment.asByteBuffer();
            arena.close();
            long before = net.handleCalls();
            assertThrows(IllegalStateException.class, () -> c.client().read(segment));
            assertThrows(IllegalStateException.class, () -> c.client().write(segment));
            assertThrows(IllegalStateException.class, () -> c.client().readFully(segment));
            assertThrows(IllegalStateException.class, () -> c.client().read(buffer));
            assertThrows(IllegalStateException.class, () -> c.client().write(buffer));
            assertEquals(before, net.handleCalls(), "a dead segment reached the backend");
        }
    }

    @Test
    void badAddressesAreRejectedWithClearMessages() throws Exception {
        assumeInternet("IPv4/IPv6 address checks");
        inFiber(() -> {
            assertThrows(NullPointerException.class, () -> FiberSocket.open(net).connect(null));
            assertThrows(IllegalArgumentException.class, () -> FiberSocket.open(net).connect(new SocketAddress() { }));
            assertThrows(IllegalArgumentException.class,
                    () -> FiberSocket.open(net).connect(new InetSocketAddress(LOOPBACK, 1), Duration.ofSeconds(-1)));
            assertThrows(UnknownHostException.class,
                    () -> FiberSocket.open(net).connect(InetSocketAddress.createUnresolved("no-such-host.invalid", 80)));
            try (FiberSocket v4 = FiberSocket.open(net)) {
                v4.bind(new InetSocketAddress(LOOPBACK, 0));
                SocketException e = assertThrows(SocketException.class,
                        () -> v4.connect(new InetSocketAddress(InetAddress.getByName("::1"), 9)));
                assertTrue(e.getMessage().contains("IPv4"), e.getMessage());
            }
            try (FiberSocket unconnected = FiberSocket.open(net)) {
                SocketException e = assertThrows(SocketException.class, () -> unconnected.read(new byte[1], 0, 1));
                assertEquals("Socket is not connected", e.getMessage());
                assertNull(unconnected.localAddress());
                assertNull(unconnected.remoteAddress());
            }
            return null;
        });
    }

    // ------------------------------------------------------------------------------------------
    // Options, adapters, plain threads
    // ------------------------------------------------------------------------------------------

    @Test
    void socketOptionsSetBeforeAndAfterConnect() throws Exception {
        assumeInternet("TCP options");
        inFiber(() -> {
            try (FiberServerSocket listener = listen(); FiberSocket s = FiberSocket.open(net)) {
                assertThrows(SocketException.class, () -> s.getOption(StandardSocketOptions.SO_KEEPALIVE), "no value before connect");
                assertThrows(UnsupportedOperationException.class, () -> s.setOption(StandardSocketOptions.IP_TOS, 0));
                s.setOption(StandardSocketOptions.TCP_NODELAY, true).setOption(StandardSocketOptions.SO_KEEPALIVE, true)
                        .setOption(StandardSocketOptions.SO_SNDBUF, 32 * 1024).setOption(StandardSocketOptions.SO_RCVBUF, 32 * 1024)
                        .setOption(StandardSocketOptions.SO_LINGER, 5).setOption(StandardSocketOptions.SO_REUSEADDR, true);
                assertEquals(true, s.getOption(StandardSocketOptions.TCP_NODELAY));
                s.connect(listener.localAddress());
                listener.accept().close();
                assertEquals(true, s.getOption(StandardSocketOptions.TCP_NODELAY));
                assertEquals(true, s.getOption(StandardSocketOptions.SO_KEEPALIVE));
                assertEquals(true, s.getOption(StandardSocketOptions.SO_REUSEADDR));
                assertEquals(5, s.getOption(StandardSocketOptions.SO_LINGER));
                assertTrue(s.getOption(StandardSocketOptions.SO_SNDBUF) >= 32 * 1024);
                assertTrue(s.getOption(StandardSocketOptions.SO_RCVBUF) >= 32 * 1024);
                s.setOption(StandardSocketOptions.TCP_NODELAY, false).setOption(StandardSocketOptions.SO_LINGER, -1);
                assertEquals(false, s.getOption(StandardSocketOptions.TCP_NODELAY));
                assertTrue(s.getOption(StandardSocketOptions.SO_LINGER) < 0);
                assertTrue(s.supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE));
            }
            return null;
        });
    }

    @Test
    void serverOptionsAndReusePort() throws Exception {
        assumeInternet("SO_REUSEADDR/SO_REUSEPORT and ports");
        inFiber(() -> {
            boolean reusePort;
            try (FiberServerSocket probe = listen()) {
                reusePort = probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
            }
            try (FiberServerSocket first = FiberServerSocket.open(net)) {
                first.setOption(StandardSocketOptions.SO_REUSEADDR, true).setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
                if (reusePort) {
                    first.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                first.bind(new InetSocketAddress(LOOPBACK, 0), 10);
                assertEquals(true, first.getOption(StandardSocketOptions.SO_REUSEADDR));
                assertTrue(first.getOption(StandardSocketOptions.SO_RCVBUF) >= 16 * 1024);
                SocketException taken = assertThrows(SocketException.class,
                        () -> FiberServerSocket.open(net).bind(first.localAddress()).close());
                assertInstanceOf(BindException.class, taken, "binding a port in use without SO_REUSEPORT");
                if (reusePort) {
                    try (FiberServerSocket second = FiberServerSocket.open(net).setOption(StandardSocketOptions.SO_REUSEPORT, true)) {
                        second.bind(first.localAddress());
                        assertEquals(first.localAddress(), second.localAddress());
                        assertEquals(true, second.getOption(StandardSocketOptions.SO_REUSEPORT));
                    }
                }
            }
            return null;
        });
    }

    @Test
    void streamsAndChannelAdapters() throws Exception {
        byte[] data = pattern(50_000, 9);
        try (Conn c = inFiber(this::pair)) {
            OutputStream out = c.client().getOutputStream();
            assertTrue(out == c.client().getOutputStream());
            out.write(200);
            out.write(data, 0, data.length);
            out.flush();
            InputStream in = c.server().getInputStream();
            assertEquals(200, in.read());
            assertArrayEquals(data, in.readNBytes(data.length));
            assertEquals(0, in.available());

            WritableByteChannel w = c.server();
            ByteBuffer src = ByteBuffer.wrap(data);
            assertEquals(data.length, w.write(src));
            assertFalse(src.hasRemaining());
            ReadableByteChannel r = c.client();
            ByteBuffer dst = ByteBuffer.allocate(data.length);
            while (dst.hasRemaining()) {
                assertTrue(r.read(dst) > 0);
            }
            assertArrayEquals(data, dst.array());

            Channels.newOutputStream(c.server()).write(data, 0, 10);
            assertArrayEquals(Arrays.copyOf(data, 10), Channels.newInputStream(c.client()).readNBytes(10));

            in.close();
            assertFalse(c.server().isOpen(), "closing the stream closes the socket");
            assertEquals(-1, c.client().getInputStream().read());
        }
    }

    @Test
    void readsAndWritesFromPlainThreads() throws Exception {
        byte[] data = pattern(2 << 20, 12);
        try (Conn c = pair()) { // made on the test thread: no fiber anywhere
            CompletableFuture<Void> written = new CompletableFuture<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    c.server().write(data);
                    c.server().shutdownOutput();
                    written.complete(null);
                } catch (Throwable t) {
                    written.completeExceptionally(t);
                }
            });
            assertArrayEquals(data, readToEnd(c.client(), data.length));
            writer.join();
            written.get();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Offsets, gathering writes, readiness without a buffer, accept bursts
    // ------------------------------------------------------------------------------------------

    /**
     * Whether the backend waits in {@link FiberSocket#awaitReadable()} (otherwise it returns at once
     * and the next read waits).
     *
     * @return true if awaitReadable suspends until data arrives
     */
    protected boolean awaitsReadableWithoutABuffer() {
        return false;
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 64, 16 * 1024, 16 * 1024 + 1, 100_000})
    void readsAndWritesMoveTheRightBytesAtOffsets(int size) throws Exception {
        byte[] data = pattern(size, size + 3);
        inFiber(() -> {
            try (Conn c = pair()) {
                Task<Long> echo = echo(c.server());
                // byte[] at an offset: the bytes around the range stay untouched
                byte[] out = new byte[size + 20];
                Arrays.fill(out, (byte) 0x55);
                System.arraycopy(data, 0, out, 13, size);
                c.client().write(out, 13, size);
                byte[] in = new byte[size + 20];
                Arrays.fill(in, (byte) 0x66);
                c.client().readFully(in, 7, size);
                assertArrayEquals(data, Arrays.copyOfRange(in, 7, 7 + size));
                assertEquals(0x66, in[6]);
                assertEquals(0x66, in[7 + size]);

                // a heap buffer that is a slice (array offset) with a position
                ByteBuffer heapOut = ByteBuffer.wrap(out).slice(5, size + 10).position(8).limit(8 + size);
                assertEquals(size, c.client().write(heapOut));
                assertEquals(8 + size, heapOut.position());
                ByteBuffer heapIn = ByteBuffer.wrap(new byte[size + 30]).slice(3, size + 20).position(11).limit(11 + size);
                c.client().readFully(heapIn);
                assertEquals(11 + size, heapIn.position());
                assertArrayEquals(data, Arrays.copyOfRange(heapIn.array(), 3 + 11, 3 + 11 + size));

                // a direct buffer with a position, used twice (the second time at another position)
                ByteBuffer direct = ByteBuffer.allocateDirect(size + 9);
                direct.position(9).put(data).position(9);
                assertEquals(size, c.client().write(direct));
                ByteBuffer directIn = ByteBuffer.allocateDirect(size + 4);
                directIn.position(4);
                c.client().readFully(directIn);
                assertEquals(ByteBuffer.wrap(data), directIn.position(4));
                direct.position(0).put(data).position(0).limit(size);
                assertEquals(size, c.client().write(direct));
                directIn.clear().limit(size);
                c.client().readFully(directIn);
                assertEquals(ByteBuffer.wrap(data), directIn.flip());

                // a read-only heap buffer (no accessible array)
                assertEquals(size, c.client().write(ByteBuffer.wrap(data).asReadOnlyBuffer()));
                assertArrayEquals(data, readN(c.client(), size));

                // single reads at an offset return what arrived, at the offset
                c.client().write(data, 0, Math.min(size, 10));
                byte[] part = new byte[40];
                int got = 0;
                while (got < Math.min(size, 10)) {
                    got += c.client().read(part, 17 + got, part.length - 17 - got);
                }
                assertArrayEquals(Arrays.copyOf(data, Math.min(size, 10)), Arrays.copyOfRange(part, 17, 17 + got));
                assertEquals(0, part[16]);

                c.client().shutdownOutput();
                assertEquals(-1, c.client().read(new byte[1], 0, 1));
                assertEquals(5L * size + Math.min(size, 10), echo.get());
            }
            return null;
        });
    }

    @ParameterizedTest(name = "{0} bytes per buffer")
    @ValueSource(ints = {0, 13, 4000, 40_000})
    void gatheringWriteSendsEveryBufferInOrder(int size) throws Exception {
        inFiber(() -> {
            try (Conn c = pair()) {
                Task<Long> echo = echo(c.server());
                byte[] head = "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                byte[] body = pattern(size, 5);
                ByteBuffer[] mixed = {ByteBuffer.allocate(0), ByteBuffer.wrap(head),
                        ByteBuffer.allocateDirect(size).put(body).flip(), ByteBuffer.wrap(body).asReadOnlyBuffer(),
                        ByteBuffer.wrap(new byte[3 + size], 3, size).slice()};
                mixed[4].put(body).flip();
                long total = head.length + 3L * size;
                assertEquals(total, c.client().write(mixed));
                for (ByteBuffer b : mixed) {
                    assertFalse(b.hasRemaining(), "every position advanced to the limit");
                }
                byte[] expected = new byte[(int) total];
                System.arraycopy(head, 0, expected, 0, head.length);
                for (int i = 0; i < 3; i++) {
                    System.arraycopy(body, 0, expected, head.length + i * size, size);
                }
                assertArrayEquals(expected, readN(c.client(), (int) total));

                // all direct (epoll: writev when they exceed its copy buffer), an offset and a length
                ByteBuffer[] direct = new ByteBuffer[4];
                for (int i = 0; i < direct.length; i++) {
                    direct[i] = ByteBuffer.allocateDirect(size + 1).put((byte) i).put(body).flip();
                }
                assertEquals(2L * (size + 1), c.client().write(direct, 1, 2));
                assertEquals(0, direct[0].position());
                assertEquals(0, direct[3].position());
                byte[] two = readN(c.client(), 2 * (size + 1));
                assertEquals(1, two[0]);
                assertEquals(2, two[size + 1]);
                assertArrayEquals(body, Arrays.copyOfRange(two, 1, size + 1));
                assertArrayEquals(body, Arrays.copyOfRange(two, size + 2, 2 * size + 2));

                assertThrows(IndexOutOfBoundsException.class, () -> c.client().write(direct, 3, 2));
                assertThrows(NullPointerException.class, () -> c.client().write(new ByteBuffer[] {null}));
                c.client().shutdownOutput();
                assertEquals(-1, c.client().read(new byte[1], 0, 1));
                assertEquals(total + 2L * (size + 1), echo.get());
            }
            return null;
        });
    }

    @Test
    void awaitReadableReturnsOnceAReadWouldNotWaitAndTakesNothing() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            Task<byte[]> reader = fork(() -> {
                c.server().awaitReadable();
                byte[] b = new byte[5];
                c.server().readFully(b, 0, 5);
                c.server().awaitReadable(); // end of stream: returns, and the read says -1
                assertEquals(-1, c.server().read(new byte[1], 0, 1));
                return b;
            });
            if (awaitsReadableWithoutABuffer()) {
                awaitSuspended(reader.fiber());
            }
            c.client().write("hello".getBytes(StandardCharsets.US_ASCII));
            c.client().shutdownOutput();
            assertEquals("hello", new String(reader.get(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void tryReadTakesWhatHasArrivedAndNeverWaits() throws Exception {
        try (Conn c = inFiber(this::pair)) {
            byte[] got = inFiber(() -> {
                byte[] b = new byte[10];
                Arrays.fill(b, (byte) 9);
                assertEquals(0, c.server().tryRead(b, 2, 8), "nothing has arrived");
                assertEquals(0, c.server().tryRead(b, 2, 0));
                c.client().write(new byte[] {1, 2, 3});
                int done = 0;
                while (done < 3) {
                    c.server().awaitReadable();
                    int n = c.server().tryRead(b, 2 + done, 8 - done);
                    assertTrue(n >= 0, "no end of stream yet");
                    done += n;
                }
                assertEquals(0, c.server().tryRead(b, 5, 5), "everything was taken");
                c.client().shutdownOutput();
                int n;
                do {
                    c.server().awaitReadable();
                    n = c.server().tryRead(b, 5, 5);
                } while (n == 0);
                assertEquals(-1, n);
                return b;
            });
            assertArrayEquals(new byte[] {9, 9, 1, 2, 3, 9, 9, 9, 9, 9}, got);
            assertThrows(IndexOutOfBoundsException.class, () -> c.server().tryRead(new byte[2], 1, 2));
            c.server().close();
            assertSocketClosed(assertThrows(SocketException.class, () -> c.server().tryRead(new byte[2], 0, 2)));
        }
    }

    /**
     * The documented loop for idle connections ({@link FiberSocket#tryRead} then, on 0,
     * {@link FiberSocket#awaitReadable()}) must wait while nothing arrives, not spin: with no data sent,
     * {@code tryRead} finds nothing at most twice (the first attempt, and once more after a stale
     * readiness notification) before the fiber suspends. The loop gives up after a bounded number of
     * empty turns, so a backend that spins ends the fiber instead of hanging the test.
     */
    /**
     * TCP urgent data from a java.net peer ({@code sendUrgentData}; the receiver's SO_OOBINLINE is off):
     * java.net reads the bytes before and after the urgent byte, whose read stops short at the urgent
     * mark with the rest already queued. A fiberio socket must read the rest too, without waiting for
     * the peer to send more: the differential check runs java.net first and compares. The fiberio side
     * finds the socket empty once first, so that the readiness of everything sent is taken in one
     * wake-up before the short read; its read timeout turns a wait that nothing would end into a
     * failure instead of a hang.
     */
    @Test
    void urgentDataFromAJavaNetPeerIsSkippedAndWhatFollowsIsReadAsInJavaNet() throws Exception {
        assumeInternet("TCP urgent data");
        assumeTrue(kernelSockets(), "the peer is a java.net socket and needs the system's TCP");
        String expected;
        try (ServerSocket listener = new ServerSocket(0, 1, LOOPBACK);
             java.net.Socket peer = new java.net.Socket(LOOPBACK, listener.getLocalPort());
             java.net.Socket server = listener.accept()) {
            sendAroundAnUrgentByte(peer);
            server.setSoTimeout((int) PROBE.multipliedBy(5).toMillis());
            expected = readSix(server.getInputStream());
        }
        if (System.getProperty("os.name").startsWith("Linux")) { // the urgent byte is dropped from the stream
            assertEquals("abcdef", expected, "java.net on JDK " + Runtime.version());
        }
        try (FiberServerSocket listener = listen();
             java.net.Socket peer = new java.net.Socket(LOOPBACK, listener.localAddress().getPort());
             FiberSocket server = inFiber(listener::accept)) {
            server.setReadTimeout(PROBE.multipliedBy(5));
            assertEquals(0, inFiber(() -> server.tryRead(new byte[8], 0, 8)), "nothing sent yet");
            sendAroundAnUrgentByte(peer);
            if (Files.isReadable(PROC_NET_TCP)) { // everything queued (and its readiness reported) before the fiber reads
                int port = listener.localAddress().getPort();
                TestSchedulers.awaitCondition("the peer's bytes queued at the receiver",
                        () -> receiveQueue(port, peer.getLocalPort()) >= 6);
            }
            assertEquals(expected, inFiber(() -> {
                server.awaitReadable();
                return readSix(server.getInputStream());
            }));
        }
    }

    private static void sendAroundAnUrgentByte(java.net.Socket peer) throws IOException {
        peer.setTcpNoDelay(true);
        peer.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
        peer.sendUrgentData('!');
        peer.getOutputStream().write("def".getBytes(StandardCharsets.US_ASCII));
    }

    private static final Path PROC_NET_TCP = Path.of("/proc/net/tcp");

    /**
     * Linux: the bytes queued for reading on the IPv4 connection from {@code localPort} to
     * {@code remotePort} ({@code rx_queue} in {@code /proc/net/tcp}, hexadecimal), or -1 if none is listed.
     */
    private static long receiveQueue(int localPort, int remotePort) {
        try {
            List<String> lines = Files.readAllLines(PROC_NET_TCP);
            for (String line : lines.subList(1, lines.size())) { // after the header
                String[] f = line.trim().split("\\s+");
                if (Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == localPort
                        && Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16) == remotePort) {
                    return Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return -1;
    }

    /** Reads until six bytes came, the end of the stream, or the read timed out; says which. */
    private static String readSix(InputStream in) throws IOException {
        byte[] b = new byte[64];
        int done = 0;
        try {
            while (done < 6) {
                int n = in.read(b, done, b.length - done);
                if (n < 0) {
                    return new String(b, 0, done, StandardCharsets.US_ASCII) + ", then end of stream";
                }
                done += n;
            }
        } catch (SocketTimeoutException e) {
            return new String(b, 0, done, StandardCharsets.US_ASCII) + ", then the read timed out";
        }
        return new String(b, 0, done, StandardCharsets.US_ASCII);
    }

    @Test
    void anIdleConnectionInTheTryReadLoopSuspendsInsteadOfSpinning() throws Exception {
        assumeTrue(awaitsReadableWithoutABuffer(), "this backend's awaitReadable returns at once");
        int giveUpAfter = 100;
        try (Conn c = inFiber(this::pair)) {
            AtomicInteger empty = new AtomicInteger();
            Task<String> server = fork(() -> {
                byte[] buf = new byte[16];
                for (;;) {
                    int n = c.server().tryRead(buf, 0, buf.length);
                    if (n != 0) {
                        return n < 0 ? "end of stream" : new String(buf, 0, n, StandardCharsets.US_ASCII);
                    }
                    if (empty.incrementAndGet() >= giveUpAfter) {
                        return "gave up";
                    }
                    c.server().awaitReadable();
                }
            });
            TestSchedulers.awaitCondition(server.fiber() + " suspended or done",
                    () -> server.fiber().state() == FiberState.SUSPENDED || server.result().isDone());
            assertFalse(server.result().isDone(), "the loop ended while nothing was sent: " + empty.get() + " empty reads");
            assertTrue(empty.get() <= 2, "tryRead found nothing " + empty.get() + " times while idle");
            c.client().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", server.get());
            assertTrue(empty.get() <= 2, "tryRead found nothing " + empty.get() + " times in all");
        }
    }

    @Test
    void awaitReadableTimesOutIsWokenByCloseAndSaysWhatAReadSays() throws Exception {
        assumeTrue(awaitsReadableWithoutABuffer(), "this backend's awaitReadable returns at once");
        try (Conn c = inFiber(this::pair)) {
            c.server().setReadTimeout(SHORT);
            long start = System.nanoTime();
            SocketTimeoutException timeout = fork(() -> {
                c.server().awaitReadable();
                return null;
            }).failure(SocketTimeoutException.class);
            assertEquals("Read timed out", timeout.getMessage());
            assertElapsedAtLeast(start, SHORT);
            c.server().setReadTimeout(Duration.ZERO);
            Task<Void> waiter = fork(() -> {
                c.server().awaitReadable();
                return null;
            });
            awaitSuspended(waiter.fiber());
            c.server().close();
            assertSocketClosed(waiter.failure(SocketException.class));
            assertSocketClosed(assertThrows(SocketException.class, () -> c.server().awaitReadable()));
        }
    }

    @Test
    void aBurstOfPendingConnectionsLetsOtherFibersRunBetweenAccepts() throws Exception {
        int connections = 4 * FiberServerSocket.ACCEPT_BURST;
        List<FiberSocket> clients = new ArrayList<>();
        try (FiberServerSocket listener = FiberServerSocket.open(net).bind(new InetSocketAddress(LOOPBACK, 0), 4 * connections)) {
            for (int i = 0; i < connections; i++) { // every handshake completes: all wait in the backlog
                FiberSocket s = FiberSocket.open(net);
                clients.add(s);
                s.connect(listener.localAddress());
            }
            FiberScheduler one = TestSchedulers.create(1);
            try {
                int[] acceptedWhenOtherRan = {-1};
                int seen = TestSchedulers.inFiber(one, () -> {
                    int[] accepted = {0};
                    Fiber other = one.spawn(() -> acceptedWhenOtherRan[0] = accepted[0]); // same worker: runs when the acceptor lets it
                    List<FiberSocket> served = new ArrayList<>();
                    try {
                        for (int i = 0; i < connections; i++) {
                            served.add(listener.accept());
                            accepted[0]++;
                        }
                    } finally {
                        closeAll(served);
                    }
                    other.join();
                    return acceptedWhenOtherRan[0];
                });
                assertTrue(seen >= 0 && seen <= FiberServerSocket.ACCEPT_BURST,
                        "the other fiber ran only after " + seen + " of " + connections + " accepts");
            } finally {
                TestSchedulers.closeChecked(one);
            }
        } finally {
            closeAll(clients);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    /** A listener with its client and the accepted server side; closes all three. */
    protected record Conn(FiberServerSocket listener, FiberSocket client, FiberSocket server) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (listener; client; server) {
                // closes all three, even if one throws
            }
        }
    }

    /** A fiber of the test's scheduler, the future of its completion and its failure, if any. */
    protected record Task<T>(Fiber fiber, CompletableFuture<T> result, AtomicReference<Throwable> error) {
        /** The result, or the task's exception; in a fiber the fiber suspends, on a thread it waits (bounded). */
        T get() throws Exception {
            CompletableFuture<Void> done = result.handle((v, t) -> null);
            if (Fiber.current() != null) {
                Fiber.await(done);
            } else {
                done.get(60, TimeUnit.SECONDS);
            }
            Throwable t = error.get();
            if (t instanceof Exception e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return result.join();
        }

        /** Asserts that the task failed with {@code type} and returns that exception. */
        <E extends Throwable> E failure(Class<E> type) throws Exception {
            try {
                T value = get();
                return fail("expected " + type.getSimpleName() + " but the task returned " + value);
            } catch (Exception e) {
                return assertInstanceOf(type, e, "the task's failure");
            }
        }
    }

    /** Runs {@code body} in a new fiber of the test's scheduler. */
    protected <T> Task<T> fork(TestSchedulers.Callable<T> body) {
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
        return new Task<>(f, result, error);
    }

    /** Runs {@code body} in a fiber of the test's scheduler and returns its result. */
    protected <T> T inFiber(TestSchedulers.Callable<T> body) throws Exception {
        return TestSchedulers.inFiber(scheduler, body);
    }

    /**
     * Whether the suite runs over Unix domain sockets ({@code AF_UNIX}); the tests of what only
     * Internet sockets have (ports, IPv6, host names, TCP options, SYN backlogs, differential checks
     * against {@code java.net.Socket}) then abort themselves with the reason.
     *
     * @return false here; true in the Unix domain variant
     */
    protected boolean unixDomain() {
        return false;
    }

    /**
     * A fresh address to listen on.
     *
     * @return the loopback address with port 0 here; a new socket path in the Unix domain variant
     */
    protected SocketAddress listenAddress() {
        return new InetSocketAddress(LOOPBACK, 0);
    }

    /**
     * Whether the sockets are the system's own, reachable by a {@code java.net} peer (false for a fake
     * kernel in tests).
     *
     * @return true here
     */
    protected boolean kernelSockets() {
        return true;
    }

    /** Aborts a test of something only Internet sockets have. */
    protected void assumeInternet(String why) {
        assumeTrue(!unixDomain(), "not for Unix domain sockets: " + why);
    }

    /** A loopback listener on an ephemeral port. */
    protected FiberServerSocket listen() throws IOException {
        return FiberServerSocket.open(net).bind(listenAddress());
    }

    /** A loopback listener whose accepted sockets have a receive buffer of {@code rcvbuf}. */
    protected FiberServerSocket listen(int rcvbuf) throws IOException {
        return FiberServerSocket.open(net).setOption(StandardSocketOptions.SO_RCVBUF, rcvbuf).bind(listenAddress());
    }

    /** A connected pair: a listener, a client and the accepted server side. */
    protected Conn pair() throws IOException {
        return pair(0);
    }

    /** A connected pair with small send and receive buffers when {@code buffers} is positive. */
    protected Conn pair(int buffers) throws IOException {
        FiberServerSocket listener = buffers > 0 ? listen(buffers) : listen();
        FiberSocket client = FiberSocket.open(net);
        try {
            if (buffers > 0) {
                client.setOption(StandardSocketOptions.SO_SNDBUF, buffers).setOption(StandardSocketOptions.SO_RCVBUF, buffers);
            }
            client.connect(listener.localSocketAddress());
            return new Conn(listener, client, listener.accept());
        } catch (IOException | RuntimeException e) {
            client.close();
            listener.close();
            throw e;
        }
    }

    /** A fiber that echoes everything {@code s} reads until EOF, then shuts its output down. */
    protected Task<Long> echo(FiberSocket s) {
        return fork(() -> echoLoop(s));
    }

    private static long echoLoop(FiberSocket s) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = s.read(buf, 0, buf.length)) >= 0; ) {
            s.write(buf, 0, n);
            total += n;
        }
        s.shutdownOutput();
        return total;
    }

    /** Reads until EOF, asserting that exactly {@code expected} bytes came. */
    protected static byte[] readToEnd(FiberSocket s, int expected) throws IOException {
        byte[] buf = new byte[expected + 1];
        int total = 0;
        for (int n; (n = s.read(buf, total, buf.length - total)) >= 0; ) {
            total += n;
            assertTrue(total <= expected, "more bytes than were sent");
        }
        assertEquals(expected, total, "bytes before EOF");
        return Arrays.copyOf(buf, expected);
    }

    /** Reads exactly {@code n} bytes. */
    protected static byte[] readN(FiberSocket s, int n) throws IOException {
        byte[] buf = new byte[n];
        s.readFully(buf, 0, n);
        return buf;
    }

    /**
     * Connects sockets to {@code listener} (backlog 1, never accepting) until one connect times out,
     * which shows that the full backlog makes the system drop further SYNs; returns that socket.
     * Aborts the test where the system refuses instead (Windows answers a full backlog with RST).
     */
    protected FiberSocket fillBacklog(FiberServerSocket listener, List<FiberSocket> fillers) throws IOException {
        for (int i = 0; i < 64; i++) {
            FiberSocket s = FiberSocket.open(net);
            fillers.add(s);
            long start = System.nanoTime();
            try {
                s.connect(listener.localAddress(), PROBE);
            } catch (SocketTimeoutException e) {
                assertEquals("Connect timed out", e.getMessage());
                assertElapsedAtLeast(start, PROBE);
                return s;
            } catch (ConnectException e) {
                abort("this system refuses connections to a full backlog instead of dropping them: " + e);
            }
        }
        return fail("64 connects to a listener with backlog 1 that never accepts all succeeded");
    }

    /** What to do to a thread blocked in a read. */
    @FunctionalInterface
    public interface ThreadAction {
        /**
         * Acts.
         *
         * @param reader the blocked thread
         * @throws Exception anything
         */
        void act(Thread reader) throws Exception;
    }

    /**
     * Starts a plain thread that reads from {@code s}, waits until it is parked in the read, applies
     * {@code action}, and returns what the read threw (null if it returned).
     *
     * @param s      the socket to read from
     * @param action what to do to the blocked thread
     * @return the read's exception, or null
     * @throws Exception from {@code action}, or if interrupted
     */
    public static Throwable whileAThreadIsBlockedReading(FiberSocket s, ThreadAction action) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                s.read(new byte[8], 0, 8);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        TestSchedulers.awaitCondition("reader thread parked", () -> reader.getState() == Thread.State.WAITING);
        action.act(reader);
        reader.join();
        return failure.get();
    }

    /** Waits until {@code f} is suspended (blocked in what it was doing). */
    protected static void awaitSuspended(Fiber f) {
        TestSchedulers.awaitCondition(f + " suspended", () -> f.state() == FiberState.SUSPENDED);
    }

    /** A call that returns nothing, for {@link #outcome}. */
    @FunctionalInterface
    protected interface VoidCall {
        /**
         * Runs.
         *
         * @throws Exception anything
         */
        void run() throws Exception;
    }

    /** {@code call} as a call that returns null. */
    protected static TestSchedulers.Callable<Object> run(VoidCall call) {
        return () -> {
            call.run();
            return null;
        };
    }

    /**
     * What a call did, comparable between java.net and fiberio: {@code "returned VALUE"} or
     * {@code "SimpleExceptionName: message"}.
     */
    protected static String outcome(TestSchedulers.Callable<?> call) {
        try {
            return "returned " + call.call();
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static void assertSocketClosed(SocketException e) {
        assertEquals("Socket closed", e.getMessage());
    }

    private static void assertElapsedAtLeast(long startNanos, Duration min) {
        long elapsed = System.nanoTime() - startNanos;
        assertTrue(elapsed >= min.toNanos(), "returned after " + elapsed + " ns, before the timeout of " + min);
    }

    private static void closeAll(List<FiberSocket> sockets) throws IOException {
        for (FiberSocket s : sockets) {
            s.close();
        }
    }

    private static boolean hasLoopback(InetAddress address) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Reproducible pseudo-random bytes. */
    protected static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
