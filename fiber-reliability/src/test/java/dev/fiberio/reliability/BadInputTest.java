package dev.fiberio.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fiberio.core.Fiber;
import dev.fiberio.core.FiberScheduler;
import dev.fiberio.core.FiberState;
import dev.fiberio.core.TestSchedulers;
import dev.fiberio.nativeio.ffi.NativeIOException;
import dev.fiberio.net.FiberServerSocket;
import dev.fiberio.net.FiberSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bad input that the argument checks cannot catch up front, against the {@linkplain Backend backend of the run}: memory that
 * dies while an operation waits, memory that was never mapped, wrong address families, busy and
 * foreign addresses. Always a Java exception, never a crash, never a descriptor left open. (The plain
 * argument checks — nulls, bad offsets and lengths, read-only buffers, closed sockets, closed arenas —
 * are in fiber-net's socket suite; {@link ApiFuzzTest} throws random combinations of them at the API.)
 */
@Tag("reliability")
@OnSelectedBackend
class BadInputTest {
    private static final long HANG_GUARD_SECONDS = 30;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** errno "Bad address" (asm-generic/errno-base.h). */
    private static final int EFAULT = 14;

    private FiberScheduler scheduler;
    private Baseline baseline;
    private FiberServerSocket listener;

    @BeforeEach
    void start() throws Exception {
        baseline = Baseline.take();
        scheduler = TestSchedulers.create(2);
        listener = FiberServerSocket.open().bind(new InetSocketAddress(LOOPBACK, 0));
    }

    @AfterEach
    void stop() throws IOException {
        listener.close();
        TestSchedulers.closeChecked(scheduler);
        baseline.assertRestored();
    }

    @Test
    void aSegmentWhoseArenaClosesWhileAReadWaitsFailsWithAJavaExceptionAndNothingIsWritten() throws Exception {
        try (FiberSocket client = FiberSocket.open()) {
            client.connect(listener.localAddress());
            try (FiberSocket server = listener.accept()) {
                Arena arena = Arena.ofShared(); // owner: this test; closed below, on purpose while the read waits
                MemorySegment target = arena.allocate(64);
                CompletableFuture<Throwable> read = new CompletableFuture<>();
                Fiber reader = scheduler.spawn(() -> {
                    try {
                        server.read(target);
                        read.complete(null);
                    } catch (Throwable t) {
                        read.complete(t);
                    }
                });
                TestSchedulers.awaitCondition("the reader waits", () -> reader.state() == FiberState.SUSPENDED);
                arena.close(); // the segment dies while the read waits for data
                client.write(new byte[] {1, 2, 3});
                Throwable t = read.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
                assertInstanceOf(IllegalStateException.class, t, "a read into freed memory: " + t);
                // The byte stream is intact: the data is still there for a read into live memory.
                byte[] rest = new byte[3];
                server.readFully(rest, 0, 3);
                assertEquals(3, rest[2]);
            }
        }
    }

    @Test
    void aSegmentWhoseArenaClosesWhileAWriteWaitsFailsWithAJavaException() throws Exception {
        try (FiberSocket client = FiberSocket.open()) {
            client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            client.connect(listener.localAddress());
            FiberSocket server = listener.accept();
            try {
                server.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
                Arena arena = Arena.ofShared(); // owner: this test; closed below, on purpose while the write waits
                MemorySegment source = arena.allocate(1 << 20);
                CompletableFuture<Throwable> write = new CompletableFuture<>();
                Fiber writer = scheduler.spawn(() -> {
                    try {
                        server.write(source);
                        write.complete(null);
                    } catch (Throwable t) {
                        write.complete(t);
                    }
                });
                TestSchedulers.awaitCondition("the writer waits for room", () -> writer.state() == FiberState.SUSPENDED);
                arena.close();
                byte[] sink = new byte[1 << 16];
                CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> {
                    try {
                        while (client.read(sink, 0, sink.length) > 0) {
                            // until the server side is closed below
                        }
                    } catch (IOException ignored) {
                        // closed: done
                    }
                });
                Throwable t = write.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
                assertInstanceOf(IllegalStateException.class, t, "a write from freed memory: " + t);
                server.close();
                drain.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
            } finally {
                server.close();
            }
        }
    }

    @Test
    @SuppressWarnings("restricted")
    void segmentsOverUnmappedMemoryGiveAnIOExceptionNotACrash() throws Exception {
        MemorySegment unmapped = MemorySegment.ofAddress(4096).reinterpret(64); // below mmap_min_addr: never mapped
        try (FiberSocket client = FiberSocket.open()) {
            client.connect(listener.localAddress());
            try (FiberSocket server = listener.accept()) {
                client.write(new byte[] {7});
                NativeIOException r = assertThrows(NativeIOException.class,
                        () -> TestSchedulers.inFiber(scheduler, () -> server.read(unmapped)));
                assertEquals(EFAULT, r.errno(), r.getMessage());
                NativeIOException w = assertThrows(NativeIOException.class, () -> TestSchedulers.inFiber(scheduler, () -> {
                    server.write(unmapped);
                    return null;
                }));
                assertEquals(EFAULT, w.errno(), w.getMessage());
                // A direct buffer over it, at a position: the (segment, offset, length) path of every backend
                java.nio.ByteBuffer direct = unmapped.asByteBuffer().position(8);
                NativeIOException rb = assertThrows(NativeIOException.class,
                        () -> TestSchedulers.inFiber(scheduler, () -> server.read(direct)));
                assertEquals(EFAULT, rb.errno(), rb.getMessage());
                NativeIOException wb = assertThrows(NativeIOException.class, () -> TestSchedulers.inFiber(scheduler, () -> {
                    server.write(direct);
                    return null;
                }));
                assertEquals(EFAULT, wb.errno(), wb.getMessage());
                byte[] one = new byte[1];
                server.readFully(one, 0, 1);
                assertEquals(7, one[0], "the byte the failed read could not store is still there");
            }
        }
    }

    /**
     * Regression (fiber-net): a value of the wrong type (possible through raw types) was stored as a
     * pending option and made every later bind or connect of the socket fail with a ClassCastException.
     */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void anOptionValueOfTheWrongTypeIsRefusedAtOnceAndDoesNotPoisonTheSocket() throws Exception {
        SocketOption raw = StandardSocketOptions.TCP_NODELAY;
        try (FiberSocket s = FiberSocket.open()) {
            assertThrows(IllegalArgumentException.class, () -> s.setOption(raw, "yes")); // before connect: pending
            s.connect(listener.localAddress());
            listener.accept().close();
            assertThrows(IllegalArgumentException.class, () -> s.setOption(raw, 1)); // after connect
            assertEquals(false, s.getOption(StandardSocketOptions.TCP_NODELAY));
        }
        SocketOption rawBuffer = StandardSocketOptions.SO_RCVBUF;
        try (FiberServerSocket l = FiberServerSocket.open()) {
            assertThrows(IllegalArgumentException.class, () -> l.setOption(rawBuffer, true));
            l.bind(new InetSocketAddress(LOOPBACK, 0));
        }
    }

    @Test
    void wrongFamiliesAndBadAddressesThrowAndLeaveNothingOpen() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        int port = listener.localAddress().getPort();
        // An IPv4 listener cannot be reached over IPv6.
        assertThrows(ConnectException.class, () -> FiberSocket.open().connect(new InetSocketAddress(v6, port)));
        // Bind to an address of no local interface, and to a port in use.
        assertThrows(BindException.class, () -> FiberSocket.open().bind(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 0)));
        assertThrows(BindException.class, () -> FiberServerSocket.open().bind(new InetSocketAddress(LOOPBACK, port)));
        assertThrows(IllegalArgumentException.class, () -> FiberServerSocket.open().bind(new java.net.SocketAddress() { }));
        assertThrows(IllegalArgumentException.class, () -> FiberServerSocket.open().bind(UnixDomainSocketAddress.of("")),
                "the unnamed Unix domain address cannot be listened on");
        // A family the backend does not have (AF_UNIX is for stream sockets only).
        assertThrows(UnsupportedOperationException.class, () -> Backend.current().provider().openDatagram(StandardProtocolFamily.UNIX));
        assertThrows(UnsupportedOperationException.class, () -> Backend.current().provider().openServerSocket(() -> "AX25"));
        // A socket bound to an IPv6 address refuses an IPv4 peer (and the other way round).
        try (FiberSocket v6bound = FiberSocket.open()) {
            v6bound.bind(new InetSocketAddress(v6, 0));
            assertThrows(SocketException.class, () -> v6bound.connect(new InetSocketAddress(LOOPBACK, port)));
        }
        try (FiberSocket v4bound = FiberSocket.open()) {
            v4bound.bind(new InetSocketAddress(LOOPBACK, 0));
            assertThrows(SocketException.class, () -> v4bound.connect(new InetSocketAddress(v6, port)));
        }
    }
}
